"""A Redis server of our own on a free (or given) port: the broker of tests, benchmarks and local stacks.

It keeps an append-only file in its folder, so a restart loses no queued step: what a broker restart in
the middle of a run must not do.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from data_manager.errors import UserError
from data_manager.process_groups import free_port, stop_group

SERVER = "redis-server"


def redis_server_binary() -> str:
    """The `redis-server` program, or a one-line error naming the package that brings it."""
    found = shutil.which(SERVER)
    if found is None:
        raise UserError(
            "redis-server is missing (the Celery broker of tests and local stacks): `make install` installs it"
            " (apt-get install redis-server)"
        )
    return found


@dataclass
class RedisBroker:
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_s: float = 30) -> RedisBroker:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            redis_server_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
            "--appendonly", "yes", "--save", "", "--daemonize", "no", "--protected-mode", "yes",
            "--logfile", str(self.folder / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.folder / "redis.log").read_text(errors="replace").strip().splitlines()[-3:]
                self.stop()
                raise UserError(f"redis-server on port {self.port} did not start: {' | '.join(log)}")
            time.sleep(0.05)
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """TERM (Redis flushes its append-only file and exits), KILL after 10 s."""
        if self.process is not None:
            stop_group(self.process, grace_s=10)
            self.process = None

    def restart(self, down_s: float = 0.0) -> None:
        """Stop, stay down `down_s`, start again on the same port with the same data."""
        self.stop()
        time.sleep(down_s)
        self.start()
