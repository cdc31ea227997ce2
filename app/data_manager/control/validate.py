"""`data-manager validate`: import each location in a subprocess, check Postgres and gRPC health."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from data_manager.control.health import check_server
from data_manager.locations.registry import CodeLocation
from data_manager.paths import ProjectPaths


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


def served_code(host: str, port: int) -> tuple[str, str] | None:
    """(module, working directory) of the code server answering on the port; None when it does not say."""
    from data_manager.dagster_private_api import DagsterGrpcClient

    try:
        listing = json.loads(DagsterGrpcClient(port=port, host=host).list_repositories())
        pointer = next(iter(listing["repository_code_pointer_dict"].values()))
        return pointer["module"], str(Path(pointer["working_directory"]).resolve())
    except Exception:  # an older or non-module server: no claim either way
        return None


def validate_location(paths: ProjectPaths, location: CodeLocation, grpc_host: str) -> LocationReport:
    report = LocationReport(location.name)
    counts = import_counts(paths, location)
    if counts.pop("ok", False):
        report.counts = counts
    else:
        report.ok = False
        report.errors.append(f"import failed: {counts.get('error')}")
    serving, detail = check_server(grpc_host, location.port, timeout=3)
    served = served_code(grpc_host, location.port) if serving else None
    if served is not None and served != (location.module, str(paths.app_dir.resolve())):
        # Another platform (a second checkout's `make dev`, say) holds the port: ours is not running.
        report.grpc = f"not running (port {location.port} serves {served[0]} from {served[1]})"
    elif serving:
        report.grpc = "serving"
    elif detail not in ("unavailable", "deadline_exceeded"):
        report.ok = False
        report.grpc = detail
        report.errors.append(f"gRPC server on port {location.port} answers {detail}")
    return report
