"""dg commands in forks of a warm process that has imported Dagster, dagster-dbt and dg already.

A `dg` subprocess spends most of its time importing those libraries (about 3 of the 4 s of `dg list defs`
on a sample location). A long-running API calls `enable`, and from then on each command runs in a fork of
the platform's forkserver (warm_forks.py). Only the libraries are warm: the platform's and the location's
own code is dropped from the fork and imported anew from the command's PYTHONPATH, as a `dg` subprocess
would, so no state of one command reaches the next.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from multiprocessing.context import ForkServerContext
from pathlib import Path

from data_manager import warm_forks
from data_manager.dagster_private_api import DG_CLI_MODULE, TEMPORARY_INSTANCE_MODULES

# The libraries, and the platform CLI the `data-manager` script imports (each fork runs the caller's script again).
# Measured with py-spy, two thirds of a warm `dg check defs` went to imports these now make once: dg's lazily
# registered subcommands (dg/commands_preload.py), the temporary instance's storage, dbt's graph (dagster-dbt's
# model selection).
PRELOAD = (
    "dagster", "dagster_dbt", DG_CLI_MODULE, "dagster.components.list", "data_manager.designer.dg.commands_preload",
    *TEMPORARY_INSTANCE_MODULES, "dbt.graph", "data_manager.cli",
)  # fmt: skip
# Code a command imports from its own PYTHONPATH (a temporary copy of the repository has its own).
OWN_CODE = ("data_manager", "dagster_code")
ForkTimeout = warm_forks.ForkTimeout


class ForkServerGone(Exception):
    """The forkserver could not start the command (the caller runs a subprocess instead)."""


_context: ForkServerContext | None = None
# sys.path of a fresh interpreter after the script's folder and PYTHONPATH: what a `dg` process starts with.
_site_path: list[str] = []


def enable() -> None:
    """Run every dg command in a fork from now on; the forkserver's imports start in the background."""
    global _context, _site_path
    if _context is None and sys.platform == "linux":
        environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        probe = [sys.executable, "-c", "import json, sys; print(json.dumps(sys.path[1:]))"]
        _site_path = json.loads(subprocess.run(probe, env=environ, capture_output=True, check=True).stdout)
        _context = warm_forks.forkserver(PRELOAD)
        warm_forks.warm_up()


def enabled() -> bool:
    return _context is not None


def run(
    args: Sequence[str], cwd: Path, environ: dict[str, str], timeout_s: float, python_module: str = ""
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `dg ARGS` (or `python -m MODULE ARGS`) in a fork.

    ForkTimeout after `timeout_s`; ForkServerGone when no fork could be started."""
    assert _context is not None, "dg_forks.enable() first"
    request = {"args": list(args), "python_module": python_module, "cwd": str(cwd), "environ": environ,
               "site_path": _site_path}  # fmt: skip
    try:
        return warm_forks.run_in_fork(_context, _command, request, timeout_s)
    except (OSError, EOFError) as exc:  # EOFError: the forkserver died as it was asked for a fork
        raise ForkServerGone(f"the forkserver could not start the command: {exc}") from None


def _command(request: dict) -> int:
    """In the fork: become a `dg` process (directory, environment, import path) and run it."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["environ"])
    # As the interpreter orders them: the script's folder, then PYTHONPATH, then the site's folders.
    pythonpath = [entry for entry in request["environ"].get("PYTHONPATH", "").split(os.pathsep) if entry]
    sys.path[:] = [str(Path(sys.executable).parent), *pythonpath, *request["site_path"]]
    for name in [name for name in sys.modules if name.split(".")[0] in OWN_CODE]:
        del sys.modules[name]
    code: object = 0
    try:
        if request["python_module"]:
            import runpy

            sys.argv = [request["python_module"], *request["args"]]
            runpy.run_module(request["python_module"], run_name="__main__", alter_sys=True)
        else:
            from data_manager.dagster_private_api import DG_ENV_PREFIX, dg_cli

            sys.argv = ["dg", *request["args"]]
            dg_cli.main(request["args"], prog_name="dg", auto_envvar_prefix=DG_ENV_PREFIX)  # the `dg` script's main()
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
    return code if isinstance(code, int) else (0 if code is None else 1)
