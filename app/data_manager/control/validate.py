"""`data-manager validate`: import each location in a subprocess, check Postgres and gRPC health."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field

from data_manager.control.health import check_server
from data_manager.paths import ProjectPaths
from data_manager.registry.models import CodeLocation


@dataclass
class LocationReport:
    name: str
    ok: bool = True
    counts: dict[str, object] = field(default_factory=dict)
    grpc: str = "not running"
    errors: list[str] = field(default_factory=list)


def import_counts(paths: ProjectPaths, location: CodeLocation, timeout_s: float = 180) -> dict[str, object]:
    try:
        result = subprocess.run(
            [sys.executable, "-m", "data_manager.control.inspect_location", location.module],
            capture_output=True, text=True, timeout=timeout_s, cwd=paths.app_dir,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"loading took longer than {timeout_s:.0f}s"}
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        tail = (result.stderr or "").strip().splitlines()
        return {"ok": False, "error": tail[-1] if tail else f"exit code {result.returncode}"}
    return json.loads(lines[-1])


def database_status() -> tuple[str, str | None]:
    """(status shown, problem or None) for the platform's Postgres.

    The embedded server not answering means the local platform is stopped: "not running", no problem.
    A configured server (POSTGRES_HOST) that does not answer is a problem.
    """
    from data_manager.db import platform_database, postgres_answers

    database = platform_database()
    problem = postgres_answers(database.settings)
    if problem is None:
        return f"ok ({database.describe()})", None
    if database.embedded:
        return f"not running ({database.describe()}; start it with `make dev`)", None
    return "FAILED", problem


def validate_location(paths: ProjectPaths, location: CodeLocation, grpc_host: str) -> LocationReport:
    report = LocationReport(location.name)
    counts = import_counts(paths, location)
    if counts.pop("ok", False):
        report.counts = counts
    else:
        report.ok = False
        report.errors.append(f"import failed: {counts.get('error')}")
    serving, detail = check_server(grpc_host, location.port, timeout=3)
    if serving:
        report.grpc = "serving"
    elif detail not in ("unavailable", "deadline_exceeded"):
        report.ok = False
        report.grpc = detail
        report.errors.append(f"gRPC server on port {location.port} answers {detail}")
    return report
