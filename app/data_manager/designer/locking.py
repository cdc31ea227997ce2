"""One writer per location at a time, across threads and processes (the API and the CLI share the lock file)."""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from data_manager.paths import ProjectPaths

_thread_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


@contextmanager
def location_lock(paths: ProjectPaths, name: str) -> Iterator[None]:
    lock_dir = paths.data_dir / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with _guard:
        thread_lock = _thread_locks.setdefault(name, threading.Lock())
    with thread_lock, open(lock_dir / f"designer-{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
