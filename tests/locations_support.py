"""A throw-away copy of the repository's locations, and Dagster's `dg` CLI run inside one of them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from data_manager.designer.dg import forks as dg_forks
from data_manager.locations.model import Location

REPO_ROOT = Path(__file__).resolve().parents[1]
DG = str(Path(sys.executable).with_name("dg"))


def copy_of_repository(target: Path) -> Path:
    """The registry, platform, dbt project, connectors and sample locations (without their tests)."""
    for name in ("code-locations.json", ".env.example"):
        shutil.copyfile(REPO_ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "target", "logs", ".data", ".local_defs_state", "tests")
    for folder in ("platform", "dbt_models", "external-connectors", "app/dagster_code"):
        shutil.copytree(REPO_ROOT / folder, target / folder, ignore=ignore)
    return target


def location_env(home: Path, instance: str = "default") -> dict[str, str]:
    """Environment that makes `dagster_code` and the registry come from `home`, with a quiet instance.

    `dg check defs` creates the instance's SQLite storage: dg runs in parallel each get their own `instance`.
    """
    dagster_home = home / ".data" / "dagster_home" / instance
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return {
        **os.environ,
        "DATA_PLATFORM_HOME": str(home),
        "PYTHONPATH": str(home / "app"),
        "EXTERNAL_CONNECTORS_DIR": str(home / "external-connectors"),
        "DAGSTER_HOME": str(dagster_home),
    }


def run_dg(location: Location, *args: str, timeout: float = 300, warm: bool = True) -> subprocess.CompletedProcess[str]:
    """`dg ARGS` in the location's project folder: in a warm fork, as the platform API runs it (designer/dg/
    forks.py, which tests/api/test_dg_forks.py holds to a subprocess's answers), or (`warm=False`) as a user
    types it in a shell."""
    environ = location_env(location.paths.home, location.name)
    if not warm:
        return subprocess.run(
            [DG, *args], cwd=location.project_dir, env=environ, capture_output=True, text=True, timeout=timeout
        )
    dg_forks.enable()
    returncode, stdout, stderr = dg_forks.run(args, location.project_dir, environ, timeout)
    return subprocess.CompletedProcess([DG, *args], returncode, stdout, stderr)
