"""Child processes in their own process groups, stopped as a group, output prefixed per role."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (for throw-away servers in tests and benchmarks)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def argv_of(cmdline: list[str]) -> list[str]:
    """A process's arguments from its /proc cmdline as psutil splits it. A forked code server's command line is a
    title (forked_code_servers.py): one string padded with empty ones, split here at its spaces."""
    words = [part for part in cmdline if part]
    return words[0].split(" ") if len(words) == 1 and len(cmdline) > 1 else cmdline


def signal_group(process: subprocess.Popen | int, sig: int) -> None:
    """`sig` to the group `process` (or the pid) leads; nothing when it is gone."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process if isinstance(process, int) else process.pid, sig)


def stop_group(process: subprocess.Popen, grace_s: float, first_signal: int | None = signal.SIGTERM) -> None:
    """TERM the whole group (or nothing, when the caller signalled it its own way), then KILL it after
    `grace_s`; always leaves no member behind."""
    if first_signal is not None:
        signal_group(process, first_signal)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace_s)
    # The leader may be gone while children of its group live on: kill the group regardless.
    signal_group(process, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


@dataclass
class Backoff:
    """Restart delays of a supervised process: 1 s doubling to 30 s, back to 1 s after a minute up."""

    start_s: float = 1.0
    max_s: float = 30.0
    stable_after_s: float = 60.0
    delay_s: float = 1.0

    def next_delay(self) -> float:
        """The delay before this restart; the next one doubles."""
        delay, self.delay_s = self.delay_s, min(self.delay_s * 2, self.max_s)
        return delay

    def note_running(self, started_at: float, now: float) -> None:
        if now - started_at > self.stable_after_s:
            self.delay_s = self.start_s


class LinePrinter:
    """Thread-safe line output to the terminal and, optionally, one log file per role."""

    def __init__(self, sink: IO[str], log_dir: Path | None = None):
        self.sink = sink
        self.log_dir = log_dir
        self.lock = threading.Lock()
        self._logs: dict[str, IO[str]] = {}

    def write(self, role: str, line: str) -> None:
        with self.lock:
            self.sink.write(f"[{role}] {line}\n")
            self.sink.flush()
            if self.log_dir is not None:
                log = self._logs.get(role)
                if log is None:
                    log = self._logs[role] = open(self.log_dir / f"{role}.log", "a", buffering=1)  # noqa: SIM115
                log.write(line + "\n")


def pump_lines(stream: IO[bytes], role: str, printer: LinePrinter) -> None:
    for raw in iter(stream.readline, b""):
        printer.write(role, raw.decode(errors="replace").rstrip("\n"))
    stream.close()


def spawn(
    role: str,
    command: Sequence[str],
    printer: LinePrinter,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
) -> subprocess.Popen:
    """Start `command` in a new process group (as `user` when given), streaming its output through `printer`."""
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
        start_new_session=True,
        user=user,
    )
    threading.Thread(target=pump_lines, args=(process.stdout, role, printer), daemon=True).start()
    return process
