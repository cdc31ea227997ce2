"""Wait until a platform API answers /api/health (benchmarks, tests, anything that starts one)."""

from __future__ import annotations

import subprocess
import time

import httpx

from data_manager.errors import EXIT_FAILURE, UserError


def wait_until_healthy(base_url: str, timeout_s: float = 120, process: subprocess.Popen | None = None) -> float:
    """Seconds until GET {base_url}/api/health answers 200; fails early when `process` exits."""
    started = time.monotonic()
    while True:
        try:
            if httpx.get(f"{base_url}/api/health", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        if process is not None and process.poll() is not None:
            raise UserError(f"the platform API exited with {process.returncode}", exit_code=EXIT_FAILURE)
        if time.monotonic() - started > timeout_s:
            raise UserError(f"the platform API at {base_url} did not answer within {timeout_s:.0f}s", EXIT_FAILURE)
        time.sleep(0.1)
