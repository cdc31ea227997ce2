"""Third-party dbt projects in locations (`dagster_dbt.DbtProjectComponent`), prepared at build time.

dagster-dbt keeps such a project's parsed manifest as the component's local "defs state"
(`defs/.local_defs_state/`, git-ignored). A code server only reads it; `data-manager dbt prepare`
writes it, like the platform's own manifest, by importing the location once in Dagster's dev mode
(`DAGSTER_IS_DEV_CLI`), where the component parses its project itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from data_manager.errors import UserError
from data_manager.locations.model import Location

DBT_PROJECT_COMPONENT = "dagster_dbt.DbtProjectComponent"
DEV_MODE_ENV = "DAGSTER_IS_DEV_CLI"
# Import the location; on failure print the innermost cause on one line (not Dagster's component tree).
IMPORT_PROBE = """
import importlib, sys
try:
    importlib.import_module(sys.argv[1])
except Exception as error:
    while error.__cause__ or error.__context__:
        error = error.__cause__ or error.__context__
    sys.exit(" ".join(f"{type(error).__name__}: {error}".split())[:400])
"""


@dataclass(frozen=True)
class PreparedDbtProjects:
    location: Location
    components: list[Path]
    seconds: float


def dbt_project_components(location: Location) -> list[Path]:
    """The location's `defs.yaml` files that declare a DbtProjectComponent."""
    found = []
    for path in location.component_files():
        try:
            document = yaml.safe_load(path.read_text())
        except yaml.YAMLError:
            continue
        if isinstance(document, dict) and document.get("type") == DBT_PROJECT_COMPONENT:
            found.append(path)
    return found


def prepare_dbt_projects(location: Location, timeout_s: float = 600) -> PreparedDbtProjects | None:
    """Parse the location's own dbt projects into their defs state; None when it has none."""
    components = dbt_project_components(location)
    if not components:
        return None
    env = {
        **os.environ,
        DEV_MODE_ENV: "1",
        "DATA_PLATFORM_HOME": str(location.paths.home),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(location.paths.app_dir), os.environ.get("PYTHONPATH")])),
        # dagster-dbt runs `dbt` from PATH: this environment's, even when the venv is not activated
        "PATH": os.pathsep.join(filter(None, [str(Path(sys.executable).parent), os.environ.get("PATH")])),
    }
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE, location.module],
            env=env, capture_output=True, text=True, timeout=timeout_s,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise UserError(f"preparing the dbt projects of {location.name!r} took more than {timeout_s:.0f}s") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit code {done.returncode}"
        raise UserError(f"preparing the dbt projects of {location.name!r} failed: {reason}")
    return PreparedDbtProjects(location, components, time.perf_counter() - started)
