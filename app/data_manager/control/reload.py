"""Reload code in a running platform: one location, or the whole workspace after add/remove."""

from __future__ import annotations

import hashlib
import time

from data_manager.control import webserver
from data_manager.control.health import check_locations
from data_manager.control.locations import supervisor_pid
from data_manager.errors import EXIT_FAILURE, UserError
from data_manager.paths import ProjectPaths
from data_manager.registry.store import load_registry
from data_manager.registry.workspace import render_workspace

LOCAL_WORKSPACE = "workspace.yaml"  # under the data dir, written by `serve --local-workspace`
DAEMON_WORKSPACE_MARKER = "daemon-workspace.sha256"  # written by `make dev` when it (re)starts the daemon


def reload_one(name: str) -> None:
    """Reload one location; its load error, if the new code fails to load, is the error message."""
    try:
        load_error = webserver.reload_location(name)
    except webserver.WebserverUnavailable as exc:
        raise UserError(
            f"the platform is not running ({exc}); start it with `make dev` or `make up`", exit_code=EXIT_FAILURE
        ) from None
    except webserver.WebserverError as exc:
        raise UserError(f"reload of {name!r} failed: {exc}", exit_code=EXIT_FAILURE) from None
    if load_error:
        first_line = load_error.strip().splitlines()[0]
        raise UserError(f"{name!r} reloaded but its code fails to load: {first_line}", exit_code=EXIT_FAILURE)


def wait_and_reload_workspace(paths: ProjectPaths, timeout_s: float = 120) -> None:
    """With a local supervisor, wait until it rewrote the local workspace and its servers answer; then reload."""
    if supervisor_pid(paths) is not None:
        registry = load_registry(paths.registry)
        expected = render_workspace(registry, host_override="127.0.0.1")
        local_workspace = paths.data_dir / LOCAL_WORKSPACE
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            current = local_workspace.read_text() if local_workspace.exists() else ""
            marker = paths.data_dir / DAEMON_WORKSPACE_MARKER
            daemon_current = not marker.exists() or marker.read_text() == hashlib.sha256(expected.encode()).hexdigest()
            servers_up = all(r.serving for r in check_locations(registry.enabled, "127.0.0.1", 2))
            if current == expected and daemon_current and servers_up:
                break
            time.sleep(0.5)
    webserver.reload_workspace()
