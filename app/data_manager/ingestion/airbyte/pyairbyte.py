"""The one place that imports PyAirbyte, lazily, with the environment it must see first.

Importing `airbyte` costs seconds and hundreds of MB, so nothing imports it at module level:
code servers that only load definitions never pay for it. PyAirbyte reads these variables at
import time, hence they are set here, right before the import.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextvars import ContextVar
from types import ModuleType
from typing import Any

from data_manager.paths import airbyte_install_dir

ProgressCallback = Callable[[int, float], None]
"""Called with (records read so far, seconds since the first record)."""

_progress_callback: ContextVar[ProgressCallback | None] = ContextVar("airbyte_progress_callback", default=None)
_trackers: ContextVar[list[Any] | None] = ContextVar("airbyte_trackers", default=None)


def import_airbyte() -> ModuleType:
    """Import `airbyte` in offline mode (no registry or telemetry calls) with installs under our cache dir.

    Set on every call, not only the first: PyAirbyte reads some of these when it installs or looks up a
    connector, and a host process (a test worker) may have reset its environment since."""
    os.environ["AIRBYTE_OFFLINE_MODE"] = "1"
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("NO_LIVE_PROGRESS", "1")
    os.environ["AIRBYTE_INSTALL_DIR"] = str(airbyte_install_dir())
    # Connector venvs are installed once and started several times per sync (spec, check, read).
    os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
    import airbyte

    _install_progress_hook()
    return airbyte


def _install_progress_hook() -> None:
    """Report progress and per-stream counts: PyAirbyte has no callback, so wrap its tracker class once."""
    import airbyte.sources.base as source_base
    from airbyte.progress import ProgressStyle, ProgressTracker

    if getattr(source_base.ProgressTracker, "_data_manager_hook", False):
        return

    class ReportingProgressTracker(ProgressTracker):
        _data_manager_hook = True

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # PyAirbyte picks a notebook display whenever IPython is importable and stdout is no TTY.
            self.reset_progress_style(ProgressStyle.PLAIN)
            trackers = _trackers.get()
            if trackers is not None:
                trackers.append(self)

        def _update_display(self, *, force_refresh: bool = False) -> None:
            super()._update_display(force_refresh=force_refresh)
            callback = _progress_callback.get()
            if callback is not None:
                callback(self.total_records_read, self.elapsed_read_seconds if self.first_record_received_time else 0.0)

    source_base.ProgressTracker = ReportingProgressTracker


class TrackedRead:
    """Context manager: collect PyAirbyte's trackers and route progress to `callback` for one read."""

    def __init__(self, callback: ProgressCallback | None) -> None:
        self.callback = callback
        self.trackers: list[Any] = []

    def __enter__(self) -> TrackedRead:
        self._tokens = (_trackers.set(self.trackers), _progress_callback.set(self.callback))
        return self

    def __exit__(self, *exc: object) -> None:
        _trackers.reset(self._tokens[0])
        _progress_callback.reset(self._tokens[1])

    def records_per_stream(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for tracker in self.trackers:
            for stream, count in tracker.stream_read_counts.items():
                counts[stream] = counts.get(stream, 0) + count
        return counts
