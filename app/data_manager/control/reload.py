"""Reload code in a running platform: one location, or the whole workspace after add/remove."""

from __future__ import annotations

import time

from data_manager import webserver
from data_manager.control.health import check_locations, wait_until_serving
from data_manager.errors import EXIT_FAILURE, UserError
from data_manager.locations.lifecycle import refuse_if_active
from data_manager.locations.registry import CodeLocation
from data_manager.locations.workspace_file import render_workspace
from data_manager.paths import ProjectPaths
from data_manager.settings import env
from data_manager.stack_runtime import (
    daemon_knows,
    local_workspace,
    restart_request_file,
    served_registry,
    signal_supervisor,
    supervisor_pid,
)


def restart_direct_server(paths: ProjectPaths, location: CodeLocation, timeout_s: float = 120) -> None:
    """CODE_SERVER_MODE=direct: ask the local `data-manager serve` to restart the location's server."""
    if supervisor_pid(paths) is None:
        raise UserError(
            "CODE_SERVER_MODE=direct reloads code by restarting the code server and no local `data-manager serve` "
            "runs here: restart it (with Docker: docker compose restart data-manager)",
            exit_code=EXIT_FAILURE,
        )
    refuse_if_active(location.name, webserver.active_runs(location.name), " (a restart would stop them)")
    request = restart_request_file(paths, location.name)
    request.parent.mkdir(parents=True, exist_ok=True)
    request.touch()
    signal_supervisor(paths)
    deadline = time.monotonic() + timeout_s
    while request.exists():  # the supervisor deletes it once the new server is started
        if time.monotonic() > deadline:
            request.unlink(missing_ok=True)
            raise UserError(f"the data-manager did not restart {location.name!r} within {timeout_s:.0f}s", exit_code=1)
        time.sleep(0.3)
    wait_until_serving("127.0.0.1", location.port, timeout_s)


def reload_one(paths: ProjectPaths, location: CodeLocation) -> None:
    """Reload one location; its load error, if the new code fails to load, is the error message."""
    name = location.name
    try:
        if env("CODE_SERVER_MODE") == "direct":
            restart_direct_server(paths, location)
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
        registry = served_registry(paths)
        expected = render_workspace(registry, host_override="127.0.0.1")
        workspace = local_workspace(paths)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            current = workspace.read_text() if workspace.exists() else ""
            servers_up = all(r.serving for r in check_locations(registry.enabled, "127.0.0.1", 2))
            if current == expected and daemon_knows(paths, expected) and servers_up:
                break
            time.sleep(0.5)
    webserver.reload_workspace()
