"""The served location's module, imported by a code server's run-worker forkserver (forked_run_workers.py).

A forkserver imports its preload list by module name, on the sys.path of the process that started it. A
location's module is found on the code server's working directory (`-d`), which Dagster puts on sys.path only
while it loads the code; and a module that fails here must leave nothing half-imported for the run worker,
which imports it again itself and reports what is wrong. So the server announces its module and working
directory in the environment, which the forkserver inherits, and importing this module there imports that one.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

ANNOUNCED = "DATA_PLATFORM_SERVED_CODE"  # "<module><os.pathsep><working directory>"


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


# Only in the forkserver (started as `python -c`, as the stdlib starts it): the code server that announced, and
# its proxy's child that inherits the environment, import this module too.
if os.environ.get(ANNOUNCED) and sys.argv == ["-c"]:
    preload(os.environ[ANNOUNCED])
