"""Designer edits reach the running platform: after a write that passed its check, the location is reloaded in
the background, with a status the client polls (a write of dbt files has published the dbt manifest its
staged check parsed already, so the reload loads it).

One worker thread per location at a time: writes made while it reloads ask for one more reload, which it runs
next, so the platform always ends on the last write. Statuses: idle (nothing asked since the API started),
reloading, loaded, failed (with the error), not_running (no webserver: nothing to reload, the files are saved).
`DESIGNER_AUTO_RELOAD=0` turns the automatic reload off; `POST .../reload` still works.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from data_manager import webserver
from data_manager.control.reload import reload_one
from data_manager.designer.layout import LocationLayout
from data_manager.errors import UserError
from data_manager.stack_runtime import served_registry

IDLE, RELOADING, LOADED, FAILED, NOT_RUNNING = "idle", "reloading", "loaded", "failed", "not_running"
WAIT_TIMEOUT_S = 120.0


def auto_reload() -> bool:
    return os.environ.get("DESIGNER_AUTO_RELOAD", "1").strip().lower() not in ("0", "false", "no", "off")


@dataclass
class _State:
    status: str = IDLE
    error: str | None = None
    at: float | None = None
    requested: int = 0  # reloads asked for
    started: int = 0  # reloads the worker has begun
    worker: threading.Thread | None = None
    done: threading.Condition = field(default_factory=threading.Condition)


_states: dict[tuple[Path, str], _State] = {}
_guard = threading.Lock()


def _state(layout: LocationLayout) -> _State:
    with _guard:
        return _states.setdefault((layout.paths.home, layout.name), _State())


def status(layout: LocationLayout) -> dict[str, object]:
    state = _state(layout)
    with state.done:
        at = datetime.fromtimestamp(state.at, UTC).isoformat(timespec="seconds") if state.at else None
        return {"location": layout.name, "status": state.status, "error": state.error, "at": at, "auto": auto_reload()}


def _full_load_error(name: str) -> str | None:
    try:
        return next((info.error for info in webserver.locations(timeout=10) if info.name == name), None)
    except (webserver.WebserverUnavailable, webserver.WebserverError):
        return None


def _reload_once(layout: LocationLayout) -> tuple[str, str | None]:
    paths = layout.paths
    try:
        if not webserver.is_up():
            return NOT_RUNNING, f"no Dagster webserver answers at {webserver.default_webserver_url()}"
        location = served_registry(paths).get(layout.name)
        if location is None:
            return FAILED, f"location {layout.name!r} is not in the registry"
        reload_one(paths, location)
    except UserError as exc:
        return FAILED, _full_load_error(layout.name) if "fails to load" in str(exc) else str(exc)
    except Exception as exc:  # a reload must never kill its worker silently: say what happened
        return FAILED, f"reload failed: {type(exc).__name__}: {exc}"
    return LOADED, None


def _work(layout: LocationLayout, state: _State) -> None:
    while True:
        with state.done:
            if state.started >= state.requested:
                state.worker = None
                state.done.notify_all()
                return
            state.started = state.requested
        outcome, error = _reload_once(layout)
        with state.done:
            if state.started == state.requested:  # else another reload follows: stay `reloading`
                state.status, state.error, state.at = outcome, error, time.time()
            state.done.notify_all()


def start(layout: LocationLayout) -> dict[str, object]:
    """Ask for a reload (after the one running, if any); returns the status (`reloading`)."""
    state = _state(layout)
    with state.done:
        state.requested += 1
        state.status, state.error, state.at = RELOADING, None, time.time()
        if state.worker is None:
            state.worker = threading.Thread(
                target=_work, args=(layout, state), daemon=True, name=f"reload-{layout.name}"
            )
            state.worker.start()
    return status(layout)


def after_write(layout: LocationLayout) -> dict[str, object]:
    """The automatic reload after a write (unless DESIGNER_AUTO_RELOAD=0); the status either way."""
    return start(layout) if auto_reload() else status(layout)


def wait(layout: LocationLayout, timeout_s: float = WAIT_TIMEOUT_S) -> dict[str, object]:
    """Block until no reload of the location is running or asked for (or `timeout_s`); the status."""
    state = _state(layout)
    deadline = time.monotonic() + timeout_s
    with state.done:
        while state.worker is not None and time.monotonic() < deadline:
            state.done.wait(timeout=min(1.0, max(0.0, deadline - time.monotonic())))
    return status(layout)
