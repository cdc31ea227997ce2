"""dg commands in processes forked from a server that has imported Dagster, dagster-dbt and dg already.

A `dg` subprocess spends most of its time importing those libraries (about 3 of the 4 s of `dg list defs`
on a sample location). A long-running API starts one fork server (`enable`): `python -m` this module,
which imports them once and then forks a child per command, connected over a Unix socket. Only the
libraries are warm: the platform's and the location's own code is dropped from the fork and imported
anew from the command's PYTHONPATH, as a `dg` subprocess would, so no state of one command reaches the
next.

Protocol, one connection per command: the client sends a JSON line (args, python_module, cwd, environ,
stdout and stderr file paths); the child answers `{"pid": N}` once it leads its own process group, then
`{"code": N}` when the command has ended. A connection closed without a code is a crash.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from data_manager.dagster_private_api import DG_CLI_MODULE
from data_manager.process_groups import signal_group

PRELOAD = ("dagster", "dagster_dbt", DG_CLI_MODULE, "dagster.components.list")
# Code a command imports from its own PYTHONPATH (a temporary copy of the repository has its own).
OWN_CODE = ("data_manager", "dagster_code")
READY = "ready"
START_TIMEOUT_S = 120.0


class ForkTimeout(Exception):
    """The command outlived its timeout; its process group was killed."""


class ForkServerGone(Exception):
    """The fork server could not be reached or started."""


class _Server:
    """The fork server process and its socket; started in the background, restarted if it died."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.process: subprocess.Popen | None = None
        self.folder = Path(tempfile.mkdtemp(prefix="dg-forks-"))
        atexit.register(shutil.rmtree, self.folder, ignore_errors=True)
        self.socket_path = self.folder / "server.sock"

    def start(self) -> None:
        with self.lock:
            if self.process is not None and self.process.poll() is None:
                return
            self.ready.clear()
            self.socket_path.unlink(missing_ok=True)
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(self.socket_path)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                start_new_session=True,
            )  # fmt: skip
            threading.Thread(target=self._wait_ready, args=(self.process,), daemon=True).start()

    def _wait_ready(self, process: subprocess.Popen) -> None:
        if process.stdout is not None and process.stdout.readline().strip() == READY:
            self.ready.set()

    def connect(self) -> socket.socket:
        if not self.ready.wait(START_TIMEOUT_S) or self.process is None or self.process.poll() is not None:
            raise ForkServerGone("the dg fork server did not start")
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            connection.connect(str(self.socket_path))
        except OSError as exc:
            connection.close()
            raise ForkServerGone(f"the dg fork server does not answer: {exc}") from None
        return connection


_server: _Server | None = None


def enable() -> None:
    """Run every dg command in a fork from now on; the server's imports start in the background."""
    global _server
    if _server is None and sys.platform == "linux":
        _server = _Server()
        _server.start()


def enabled() -> bool:
    return _server is not None


def run(
    args: Sequence[str], cwd: Path, environ: dict[str, str], timeout_s: float, python_module: str = ""
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `dg ARGS` (or `python -m MODULE ARGS`) in a fork.

    ForkTimeout after `timeout_s`; ForkServerGone when the server is unreachable (restarted next time)."""
    assert _server is not None, "dg_forks.enable() first"
    try:
        connection = _server.connect()
    except ForkServerGone:
        _server.start()
        raise
    with connection, tempfile.TemporaryDirectory(prefix="dg-fork-", dir=_server.folder) as tmp:
        stdout_path, stderr_path = Path(tmp) / "stdout", Path(tmp) / "stderr"
        request = {"args": list(args), "python_module": python_module, "cwd": str(cwd), "environ": environ,
                   "stdout": str(stdout_path), "stderr": str(stderr_path)}  # fmt: skip
        connection.sendall((json.dumps(request) + "\n").encode())
        connection.settimeout(timeout_s)
        replies = connection.makefile("r")
        pid = None
        try:
            pid = json.loads(replies.readline())["pid"]
            line = replies.readline()
        except TimeoutError:
            if pid is not None:
                for sig in (signal.SIGTERM, signal.SIGKILL):
                    signal_group(pid, sig)
            raise ForkTimeout from None
        except (ValueError, KeyError, OSError):
            raise ForkServerGone("the dg fork server closed the connection before starting the command") from None
        code = json.loads(line)["code"] if line.strip() else 1  # no code: the child crashed
        read = lambda path: path.read_text(errors="replace") if path.exists() else ""  # noqa: E731
        return code, read(stdout_path), read(stderr_path)


def serve(socket_path: str) -> None:
    """The fork server: import PRELOAD, then fork one child per connection until stdin closes.

    Its folder goes with it, also when the API was killed before its own clean-up could run."""
    try:
        _serve(socket_path)
    finally:
        shutil.rmtree(Path(socket_path).parent, ignore_errors=True)


def _serve(socket_path: str) -> None:
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path[0] = str(Path(sys.executable).parent)  # as for the `dg` script, not `-m`'s working directory
    for module in PRELOAD:
        with contextlib.suppress(ImportError):
            __import__(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    print(READY, flush=True)  # BrokenPipeError when the API is gone already: the server ends
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in readable and not sys.stdin.readline():
            return  # the API is gone
        if listener in readable:
            connection, _ = listener.accept()
            if os.fork() == 0:
                try:
                    listener.close()
                    _child(connection)
                finally:
                    os._exit(1)  # a child never unwinds into the server's loop (or its clean-up)
            connection.close()


def _child(connection: socket.socket) -> None:
    """In the fork: become a `dg` process (own group, directory, environment, output files) and run it."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    replies = connection.makefile("w")
    request = json.loads(connection.makefile("r").readline())
    replies.write(json.dumps({"pid": os.getpid()}) + "\n")
    replies.flush()
    for fd, path in ((0, os.devnull), (1, request["stdout"]), (2, request["stderr"])):
        file_fd = os.open(path, os.O_RDONLY if fd == 0 else os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(file_fd, fd)
        os.close(file_fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["environ"])
    # As the interpreter orders them: the script's folder first, then PYTHONPATH (dagster replaces sys.path[0]).
    sys.path[1:1] = [entry for entry in request["environ"].get("PYTHONPATH", "").split(os.pathsep) if entry]
    for name in [name for name in sys.modules if name.split(".")[0] in OWN_CODE]:
        del sys.modules[name]
    code = _run_command(request["args"], request["python_module"])
    replies.write(json.dumps({"code": code}) + "\n")
    replies.flush()
    os._exit(code)


def _run_command(args: list[str], python_module: str) -> int:
    code: object = 0
    try:
        if python_module:
            import runpy

            sys.argv = [python_module, *args]
            runpy.run_module(python_module, run_name="__main__", alter_sys=True)
        else:
            from data_manager.dagster_private_api import DG_ENV_PREFIX, dg_cli

            sys.argv = ["dg", *args]
            dg_cli.main(args, prog_name="dg", auto_envvar_prefix=DG_ENV_PREFIX)  # what the `dg` script's main() runs
    except SystemExit as exc:
        code = exc.code
    except BaseException as exc:  # what a crashed dg subprocess would print
        import traceback

        traceback.print_exception(exc)
        code = 1
    if isinstance(code, str):
        print(code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code if isinstance(code, int) else (0 if code is None else 1)


if __name__ == "__main__":
    serve(sys.argv[1])
