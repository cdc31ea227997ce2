"""The served location's module, imported in forkservers: a code server's run workers' (forked_run_workers.py)
and a run's steps' (execution/executor.py).

A forkserver imports its preload list by module name, on the sys.path of the process that started it. A
location's module is found on the code server's working directory (`-d`), which Dagster puts on sys.path only
while it loads the code; and a module that fails here must leave nothing half-imported for the run worker,
which imports it again itself and reports what is wrong. (Named bare, a location module can even resolve to
another project's package of the same name, installed in the venv.) So the server announces its module and
working directory in the environment, which its forkserver, the run workers and their steps' forkserver
inherit, and importing this module in a forkserver imports that one.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

ANNOUNCED = "DATA_PLATFORM_SERVED_CODE"  # "<module><os.pathsep><working directory>"


def announced() -> str | None:
    """The served module and working directory, when this process descends from a code server that announced."""
    return os.environ.get(ANNOUNCED) or None


def announce(argv: list[str]) -> None:
    """Name the module (`-m`) and working directory (`-d`) of a code server's command line (Dagster's CLI
    options, short or long)."""
    arguments = argv[1:]

    def value_of(*flags: str) -> str:
        found = [arguments[i + 1] for i, argument in enumerate(arguments[:-1]) if argument in flags]
        return found[0] if found else ""

    module = value_of("-m", "--module-name")
    if module:
        os.environ[ANNOUNCED] = f"{module}{os.pathsep}{value_of('-d', '--working-directory')}"


def preload(announced: str) -> bool:
    """Import the announced module (True), or leave sys.modules as it was (False)."""
    module, _, working_directory = announced.partition(os.pathsep)
    before = set(sys.modules)
    if working_directory:
        sys.path.insert(0, working_directory)
    try:
        importlib.import_module(module)
        return True
    except Exception:  # the run worker imports it again and fails the run with the real error
        for name in set(sys.modules) - before:
            del sys.modules[name]
        return False
    finally:
        if working_directory:
            with contextlib.suppress(ValueError):
                sys.path.remove(working_directory)


# Only in a forkserver (started as `python -c`, as the stdlib starts it): the code server that announced, its
# proxy's child and the run workers import this module too.
if (served := announced()) and sys.argv == ["-c"]:
    preload(served)
