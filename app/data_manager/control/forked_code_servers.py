"""Code servers forked from one warm parent (CODE_SERVER_START=fork, the default).

Each code server used to be a fresh interpreter that imported Dagster, its gRPC server, its Postgres storage and
dagster-dbt on its own: about 1.6 s of CPU at every start and every reload, and the same 100 MB in every
location. Here `data-manager serve` keeps one forkserver (warm_forks.py) that imports those libraries once and
nothing else: no location's code, and nothing gRPC-related is initialised in it, it is only imported. Each code
server is a fork of it that runs what `python -m data_manager.control.forked_run_workers ARGS` would run, with
the same arguments, working directory and environment, in its own process group, its output through the
supervisor's printer. Its pages stay shared with the parent until written.

In proxy mode the proxy is such a fork, and so is every `dagster api grpc` child it starts (at start and at each
reload): the proxy finds the forkserver's socket in `ADDRESS_ENV`. A proxy that cannot reach it (the serve
process is gone) starts its child as Dagster does, as a subprocess.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from multiprocessing import forkserver as stdlib_forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from pathlib import Path

import setproctitle

from data_manager import warm_forks
from data_manager.control import forked_run_workers
from data_manager.dagster_private_api import CODE_SERVER_MODULES
from data_manager.process_groups import LinePrinter, pump_lines

ADDRESS_ENV = "DATA_PLATFORM_CODE_SERVER_FORKS"  # the forkserver's socket, for a proxy's `api grpc` child
# The libraries every code server imports, whatever its location; the location's own code is imported by the fork.
PRELOAD = (*CODE_SERVER_MODULES, "dagster_postgres", "dagster_dbt", "dbt.graph", "data_manager.components",
           forked_run_workers.MODULE, __name__)  # fmt: skip


class ForkedServer:
    """A forked code server, as the supervisor and Dagster's proxy use a `subprocess.Popen`.

    Its exit code comes from the forkserver that reaps it. When the forkserver dies first, multiprocessing reports
    255 at once although the server still runs (reparented): it counts as running until its process is gone, so
    one killed forkserver does not read as every location's server exiting (which would restart them all)."""

    def __init__(self, process, args: Sequence[str]) -> None:
        self._process = process
        self.args = list(args)
        self.pid: int = process.pid
        self._started = _start_time(self.pid)

    @property
    def returncode(self) -> int | None:
        code = self._process.exitcode  # negative for a signal, as Popen's
        if code is not None and self._started is not None and _start_time(self.pid) == self._started:
            return None  # the forkserver died, not the server
        return code

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        self._process.join(timeout)
        while (code := self.returncode) is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            time.sleep(0.05)
        return code

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _start_time(pid: int) -> str | None:
    """The process's start time (clock ticks since boot, /proc/PID/stat) while it runs; None once it is gone or a
    zombie. Compared with the one seen at start, a reused pid is not mistaken for the server."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def start_forkserver() -> ForkServerContext:
    """In `data-manager serve`: start the forkserver now (its imports run while the stack starts), or again when it
    died, and tell the proxies where it listens (a stdlib forkserver's socket: its private attribute)."""
    context = warm_forks.forkserver(PRELOAD)
    warm_forks.warm_up()
    os.environ[ADDRESS_ENV] = stdlib_forkserver._forkserver._forkserver_address
    return context


def start(role: str, args: Sequence[str], printer: LinePrinter, warm_run_workers: bool) -> ForkedServer:
    """Dagster's CLI with `args` (`api grpc …`, `code-server start …`) in a fork, leading a process group of its own,
    its output through `printer`; run workers forked too (forked_run_workers.py) when `warm_run_workers`."""
    context = start_forkserver()  # a killed one starts again here, at a new address
    read_end, write_end = os.pipe()
    server = _fork(context, (list(args), os.getcwd(), dict(os.environ), warm_run_workers), write_end, group=0)
    threading.Thread(target=pump_lines, args=(os.fdopen(read_end, "rb"), role, printer), daemon=True).start()
    return server


def _fork(
    context: ForkServerContext, request: tuple[list[str], str, dict[str, str], bool], output: int, group: int
) -> ForkedServer:
    """`_serve(request)` in a fork writing to `output` (sent to it as a file descriptor; closed here)."""
    connection = Connection(output, readable=False)
    process = context.Process(target=_serve, args=(request, connection, group))
    try:
        process.start()
    finally:
        connection.close()
    return ForkedServer(process, request[0])


def _serve(request: tuple[list[str], str, dict[str, str], bool], output: Connection, group: int) -> None:
    """In the fork: become the code server's process (group, output, directory, environment) and run it.

    `group` 0 leads a new process group; else the fork joins that group (a proxy's, in the same session: the
    forkserver's, so a proxy and its children are groups, not sessions)."""
    args, cwd, environ, warm_run_workers = request
    os.setpgid(0, group)
    os.dup2(output.fileno(), 1)
    os.dup2(output.fileno(), 2)
    output.close()
    # The command line it would have as a subprocess, for ps, the soak and the tests that look for it by name
    # (before the environment changes: setproctitle finds the command line's memory through it).
    starts = forked_run_workers.command() if warm_run_workers else [sys.executable, "-m", "dagster"]
    setproctitle.setproctitle(" ".join([*starts, *args]))
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(environ)
    sys.path.insert(0, cwd)  # what `python -m` puts first
    sys.argv = [forked_run_workers.__file__, *args]
    # Forks of this process run what `python -m data_manager.control.forked_run_workers` runs (multiprocessing
    # imports the main module again in each child): make it this process's main module.
    sys.modules["__main__"] = importlib.import_module(forked_run_workers.MODULE)
    if args[:2] == ["code-server", "start"]:
        fork_proxy_children()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.reconfigure(line_buffering=True)
    code: object = 0
    try:
        if warm_run_workers:
            forked_run_workers.main()
        else:
            from data_manager.dagster_private_api import dagster_cli_main

            dagster_cli_main()
    except SystemExit as exc:
        code = exc.code
    except BaseException as exc:  # what a crashed process would print
        import traceback

        traceback.print_exception(exc)
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))


def fork_proxy_children() -> None:
    """In a forked proxy: start its `api grpc` children as forks of the serve process's forkserver too."""
    address = os.environ.get(ADDRESS_ENV)
    server = stdlib_forkserver._forkserver
    if not address or server._forkserver_alive_fd is None:  # not a fork of that forkserver
        return
    from data_manager.dagster_private_api import grpc_server

    open_subprocess = grpc_server.open_ipc_subprocess

    def open_ipc_subprocess(parts: Sequence[str], **kwargs) -> subprocess.Popen | ForkedServer:
        prefix = forked_run_workers.command()
        if list(parts[: len(prefix)]) != prefix:
            return open_subprocess(parts, **kwargs)
        try:
            return _fork_child(list(parts[len(prefix) :]), kwargs.get("cwd"), kwargs.get("env"))
        except OSError:  # the serve process and its forkserver are gone
            return open_subprocess(parts, **kwargs)

    server._forkserver_address = address
    server.ensure_running = lambda: None  # the serve process's forkserver: started, and restarted, there
    grpc_server.open_ipc_subprocess = open_ipc_subprocess


def _fork_child(args: list[str], cwd: str | None, environ: dict[str, str] | None) -> ForkedServer:
    """The proxy's child, in the proxy's process group (the supervisor stops the group), its output the proxy's."""
    request = (args, str(Path(cwd or os.getcwd())), dict(environ or os.environ), True)
    return _fork(warm_forks.forkserver(PRELOAD), request, os.dup(sys.stdout.fileno()), group=os.getpgid(0))
