"""Reload code in a running platform: one location, or the whole workspace after add/remove."""

from __future__ import annotations

import time

from data_manager.control import webserver
from data_manager.control.health import check_locations
from data_manager.control.locations import supervisor_pid
from data_manager.errors import EXIT_FAILURE, UserError
from data_manager.paths import ProjectPaths
from data_manager.registry.store import load_registry


def reload_one(paths: ProjectPaths, name: str) -> str:
    try:
        status = webserver.reload_location(name)
    except webserver.WebserverUnavailable as exc:
        raise UserError(
            f"the platform is not running ({exc}); start it with `make dev` or `make up`", exit_code=EXIT_FAILURE
        ) from None
    if status != "WorkspaceLocationEntry":
        raise UserError(f"reload of {name!r} failed: {status}", exit_code=EXIT_FAILURE)
    return "loaded"


def wait_and_reload_workspace(paths: ProjectPaths, timeout_s: float = 120) -> None:
    """With a local supervisor, wait until its servers answer, then reload the webserver's workspace."""
    if supervisor_pid(paths) is not None:
        deadline = time.monotonic() + timeout_s
        time.sleep(1.0)  # let the supervisor pick up SIGHUP and rewrite the local workspace
        while time.monotonic() < deadline:
            results = check_locations(load_registry(paths.registry).enabled, host="127.0.0.1", timeout=2)
            if all(r.serving for r in results):
                break
            time.sleep(0.5)
    webserver.reload_workspace()
