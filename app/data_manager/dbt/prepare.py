"""Build-time preparation of the dbt manifest (`data-manager dbt prepare`).

Code locations only *load* `dbt_models/target/manifest.json`; parsing happens here, at image
build and in `make dev`, so code-server start never pays for a dbt parse.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from data_manager.dbt.layout import dbt_project_dir, manifest_path
from data_manager.errors import UserError


@dataclass(frozen=True)
class PrepareResult:
    manifest: Path
    seconds: float
    models: int
    tests: int
    sources: int


def _error_lines(events: list) -> list[str]:
    lines = []
    for event in events:
        info = event.info
        if info.level in ("error", "warn") and info.msg:
            lines.append(" ".join(str(info.msg).split()))
    return lines


def prepare_manifest(project_dir: Path | None = None, packages: bool = True) -> PrepareResult:
    """Run `dbt deps` (only when the project declares packages) and `dbt parse`; raise a one-line
    UserError naming dbt's first error when parsing fails. dbt runs in-process: no extra interpreter."""
    from dbt.cli.main import dbtRunner

    project_dir = (project_dir or dbt_project_dir()).resolve()
    if not (project_dir / "dbt_project.yml").is_file():
        raise UserError(f"no dbt project at {project_dir} (dbt_project.yml is missing)")
    # dbt writes into a work folder; the results are then moved into target/ atomically, so a code
    # server starting meanwhile reads the previous manifest or the new one, never half a file.
    work = project_dir / "target" / "prepare"
    common = [
        "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir),
        "--target-path", str(work),
        "--log-path", str(work / "logs"),
        "--log-level", "none",  # console: the CLI reports; full logs stay in the log file
    ]  # fmt: skip
    events: list = []
    runner = dbtRunner(callbacks=[events.append])
    started = time.perf_counter()
    has_packages = (project_dir / "packages.yml").is_file() or (project_dir / "dependencies.yml").is_file()
    if packages and has_packages:
        result = runner.invoke(["deps", *common])
        if not result.success:
            raise UserError(f"dbt deps failed in {project_dir}: {_first_error(result, events)}")
    result = runner.invoke(["parse", *common])
    if not result.success:
        raise UserError(f"dbt parse failed in {project_dir}: {_first_error(result, events)}")
    if not (work / "manifest.json").is_file():
        raise UserError(f"dbt parse succeeded but wrote no manifest in {work}")
    path = manifest_path(project_dir)
    for artifact in ("partial_parse.msgpack", "manifest.json"):
        _publish(work / artifact, path.parent / artifact)
    nodes = json.loads(path.read_text(encoding="utf-8"))
    kinds = [node.get("resource_type") for node in nodes.get("nodes", {}).values()]
    return PrepareResult(
        manifest=path,
        seconds=time.perf_counter() - started,
        models=kinds.count("model"),
        tests=kinds.count("test"),
        sources=len(nodes.get("sources", {})),
    )


def _publish(source: Path, destination: Path) -> None:
    """Copy `source` over `destination` atomically (temp file in the same folder, then rename)."""
    if not source.is_file():
        return
    temporary = destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
    shutil.copyfile(source, temporary)
    os.replace(temporary, destination)


def _first_error(result, events: list) -> str:
    """dbt's error on one line, without the code excerpt that follows it."""
    if result.exception is not None:
        text = " ".join(str(result.exception).split())
    else:
        lines = _error_lines(events)
        text = lines[0] if lines else "see dbt_models/target/prepare/logs/dbt.log"
    text = text.split(" ---", 1)[0].strip()
    return text if len(text) <= 300 else text[:297] + "..."
