"""`data-manager worker` processes started from Python (tests, bench-scale), each in its own process group."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

READY = " ready."  # Celery's line once the worker consumes its queues


def start_worker(
    locations: Sequence[str], env: Mapping[str, str], cwd: Path, log_path: Path, concurrency: int = 1, name: str = ""
) -> subprocess.Popen:
    command = [sys.executable, "-m", "data_manager.cli", "worker", "--concurrency", str(concurrency)]
    for location in locations:
        command += ["--location", location]
    if name:
        command += ["--name", name]
    log = open(log_path, "ab")  # noqa: SIM115 - the child holds it
    return subprocess.Popen(
        command, env=dict(env), cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def wait_until_ready(process: subprocess.Popen, log_path: Path, timeout_s: float = 120) -> None:
    """Until the worker's log says it is ready; RuntimeError with its last lines if it exits or takes too long."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace") if log_path.exists() else ""
        if READY in text:
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    tail = "\n".join((log_path.read_text(errors="replace") if log_path.exists() else "").splitlines()[-20:])
    raise RuntimeError(f"worker pid {process.pid} not ready (exit {process.poll()}):\n{tail}")
