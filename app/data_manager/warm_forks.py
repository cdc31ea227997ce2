"""Processes forked from one warm parent that imported the heavy libraries once: Python's own forkserver.

Starting Python with Dagster loaded costs seconds of imports (Dagster, its Postgres storage, dagster-dbt,
dg) and about 100 MB per process. The stdlib's forkserver (multiprocessing's `forkserver` start method)
imports a preload list once; every child is a fork of it and shares those pages until it writes them.
It starts from a fresh interpreter, so nothing of the caller's threads or gRPC state is forked; it is
started again when it died, and ends with the process that started it.

This is the platform's one warm-process mechanism: code servers fork their run workers from it
(control/forked_run_workers.py) and the platform API its `dg` commands (designer/dg/forks.py). Python
keeps one forkserver per process, so each process gives it one preload list.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from multiprocessing.context import ForkServerContext
from pathlib import Path
from typing import Any

from data_manager.process_groups import signal_group

STOP_GRACE_S = 2.0
# Each fork runs its caller's main module again as `__mp_main__` (multiprocessing's rule), preloaded already: runpy's
# warning that it is "found in sys.modules" (in every run's log) is noise. Set on import, so in each forkserver too
# (they import this module with their preload list), and inherited by its forks.
warnings.filterwarnings("ignore", "'data_manager[.a-z_]*' found in sys.modules", RuntimeWarning)


class ForkTimeout(Exception):
    """The child outlived its timeout; its process group was killed."""


def forkserver(preload: Sequence[str]) -> ForkServerContext:
    """This process's forkserver context, importing `preload` once (at the first child, or `warm_up`).

    Each child runs the caller's main module again (multiprocessing's rule): a `python -m NAME` caller's is
    preloaded here, so that is a cached import; a script's imports belong in `preload` (Python 3.11's
    forkserver ignores a preloaded `__main__`)."""
    context = multiprocessing.get_context("forkserver")
    main_name = getattr(getattr(sys.modules["__main__"], "__spec__", None), "name", None)
    context.set_forkserver_preload([*preload, *([main_name] if main_name else [])])
    return context


def warm_up() -> None:
    """Start the forkserver now, so its imports run while the caller does something else."""
    from multiprocessing import forkserver as stdlib_forkserver

    stdlib_forkserver.ensure_running()


def run_in_fork(
    context: ForkServerContext, target: Callable[[Any], int], request: Any, timeout_s: float
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `target(request)` in a fork, in a process group of its own.

    The target returns the exit code; a child that crashed without one reports 1. ForkTimeout after
    `timeout_s`, with every process of the child's group stopped."""
    with tempfile.TemporaryDirectory(prefix="warm-fork-") as folder:
        stdout_path, stderr_path = Path(folder) / "stdout", Path(folder) / "stderr"
        process = context.Process(target=_child, args=(target, request, str(stdout_path), str(stderr_path)))
        process.daemon = True  # stopped with the caller
        process.start()
        process.join(timeout_s)
        if process.exitcode is None:
            signal_group(process.pid, signal.SIGTERM)
            process.join(STOP_GRACE_S)
            signal_group(process.pid, signal.SIGKILL)
            process.join(5)
            raise ForkTimeout
        read = lambda path: path.read_text(errors="replace") if path.exists() else ""  # noqa: E731
        code = process.exitcode
        return (code if code >= 0 else 1), read(stdout_path), read(stderr_path)


def _child(target: Callable[[Any], int], request: Any, stdout_path: str, stderr_path: str) -> None:
    """In the fork: lead a process group, write to the two files, run the target, exit with its code."""
    os.setsid()
    for fd, path in ((0, os.devnull), (1, stdout_path), (2, stderr_path)):
        file_fd = os.open(path, os.O_RDONLY if fd == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(file_fd, fd)
        os.close(file_fd)
    code = 1
    try:
        code = target(request)
    except BaseException as exc:  # what a crashed process would print
        import traceback

        traceback.print_exception(exc)
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)  # no unwinding into multiprocessing's own exit handling
