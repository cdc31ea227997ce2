"""Dagster's private API stays in app/data_manager/dagster_private_api.py.

Each name it hands on still imports (a Dagster upgrade that moves one fails here, by name), and no other tracked
Python file (tests, scripts and the location templates included) imports `dagster._…` or `dagster_dg_cli`.
"""

from __future__ import annotations

import importlib
import re
import subprocess
from pathlib import Path

import pytest

from data_manager import dagster_private_api

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPAT = Path(dagster_private_api.__file__).resolve().relative_to(REPO_ROOT).as_posix()
PRIVATE_IMPORT = re.compile(r"^\s*(from\s+(dagster\._|dagster_dg_cli\b)|import\s+(dagster\._|dagster_dg_cli\b))")


@pytest.mark.parametrize("name", dagster_private_api.__all__)
def test_each_private_name_still_imports(name: str) -> None:
    value = getattr(dagster_private_api, name)
    assert value is not None
    if name.endswith("_MODULE"):
        importlib.import_module(value)


def test_the_failure_prefix_is_where_dagster_failure_lives() -> None:
    import dagster as dg

    assert f"{dg.Failure.__module__}.{dg.Failure.__qualname__}: " == dagster_private_api.FAILURE_ERROR_PREFIX


def test_no_private_dagster_import_outside_the_compat_module() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    found = []
    for relative in filter(None, tracked):
        path = REPO_ROOT / relative
        if relative == COMPAT or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if PRIVATE_IMPORT.match(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, f"import these from {COMPAT} instead:\n" + "\n".join(found)


def test_the_check_sees_each_form_of_private_import() -> None:
    for line in (
        "from dagster._core.events import RunFailureReason",
        "    from dagster._grpc import server",
        "import dagster._cli",
        "from dagster_dg_cli.cli import cli",
    ):
        assert PRIVATE_IMPORT.match(line), line
    for line in (
        "import dagster as dg",
        "from dagster import Definitions",
        "from data_manager import dagster_private_api",
    ):
        assert not PRIVATE_IMPORT.match(line), line
