"""Every `dg` invocation in one place: the working directory, environment, timeout and JSON parsing.

dg runs in a location's project folder (the one holding `dg.toml`) with the project home's `app/` first on
PYTHONPATH, so a temporary copy of the repository loads its own code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from data_manager.designer.dg import forks as dg_forks
from data_manager.errors import UserError
from data_manager.paths import ProjectPaths
from data_manager.process_groups import stop_group

DEFAULT_TIMEOUT_S = 300.0
BATCH_MODULE = "data_manager.designer.dg.batch"


class DgTimeout(UserError):
    """dg did not finish within its timeout (the process group was killed)."""


@dataclass(frozen=True)
class DgResult:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def last_error_line(self) -> str:
        lines = [line.strip() for line in (self.stderr or self.stdout).splitlines() if line.strip()]
        return lines[-1] if lines else f"dg exited with code {self.returncode}"


def dg_environment(paths: ProjectPaths, code_first: Sequence[Path] = ()) -> dict[str, str]:
    """The caller's environment, with `code_first` then the home's code importable first and colours off."""
    environ = dict(os.environ)
    pythonpath = [
        *map(str, code_first),
        str(paths.app_dir),
        *filter(None, environ.get("PYTHONPATH", "").split(os.pathsep)),
    ]
    environ.update(
        PYTHONPATH=os.pathsep.join(pythonpath),
        DATA_PLATFORM_HOME=str(paths.home),
        NO_COLOR="1",
        TERM="dumb",
        COLUMNS="200",
        DAGSTER_DISABLE_TELEMETRY="1",
    )
    return environ


def _python_tool(name: str) -> str:
    """A console script installed next to this interpreter (the locked venv's), else on PATH."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def run(
    paths: ProjectPaths,
    cwd: Path,
    args: Sequence[str],
    timeout_s: float = DEFAULT_TIMEOUT_S,
    python_module: str = "",
    code_first: Sequence[Path] = (),
) -> DgResult:
    """`dg ARGS` (or `python -m MODULE ARGS`) in `cwd`; raises DgTimeout after `timeout_s`.

    A subprocess, or a warm fork once the API has called `dg_forks.enable()`.

    `code_first`: folders imported before the home's `app/` (a staged copy of a location being checked)."""
    environ = dg_environment(paths, code_first)
    if dg_forks.enabled():
        try:
            returncode, stdout, stderr = dg_forks.run(args, cwd, environ, timeout_s, python_module)
            return DgResult(tuple(args), returncode, stdout, stderr)
        except dg_forks.ForkTimeout:
            raise _timeout(args, timeout_s) from None
        except dg_forks.ForkServerGone:
            pass  # a subprocess does the same, only slower
    command = [sys.executable, "-m", python_module, *args] if python_module else [_python_tool("dg"), *args]
    process = subprocess.Popen(
        command, cwd=cwd, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        stop_group(process, grace_s=2)
        process.communicate()
        raise _timeout(args, timeout_s) from None
    return DgResult(tuple(args), process.returncode, stdout, stderr)


def _timeout(args: Sequence[str], timeout_s: float) -> DgTimeout:
    return DgTimeout(f"`dg {' '.join(args)}` took longer than {timeout_s:.0f}s and was stopped")


def parse_json(result: DgResult) -> object:
    """The JSON document dg printed; dg may log lines before it, so start at the first `{` or `[` line."""
    text = result.stdout
    for index, line in enumerate(text.splitlines()):
        if line.startswith(("{", "[")):
            try:
                return json.loads("\n".join(text.splitlines()[index:]))
            except json.JSONDecodeError:
                continue
    raise UserError(f"`dg {' '.join(result.args)}` printed no JSON: {result.last_error_line()}")
