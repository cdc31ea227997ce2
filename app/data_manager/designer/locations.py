"""The registry's locations for the designer: listed with load status, created and removed through the same
code as `make add-code-location` / `make remove-code-location` (same checks, same refusals)."""

from __future__ import annotations

import keyword

from data_manager import webserver
from data_manager.control.platform_refresh import after_location_change
from data_manager.locations.lifecycle import add, remove, require_known
from data_manager.locations.registry import NAME_PATTERN, RESERVED_NAMES
from data_manager.locations.registry_store import load_registry
from data_manager.paths import ProjectPaths
from data_manager.settings import env_int

STATUS_TIMEOUT_S = 3.0


def _load_statuses() -> tuple[bool, dict[str, dict[str, object]]]:
    """(webserver up, status per location name) from the running webserver, via daglab."""
    try:
        infos = webserver.locations(timeout=STATUS_TIMEOUT_S)
    except (webserver.WebserverUnavailable, webserver.WebserverError):
        return False, {}
    return True, {
        info.name: {"status": "error" if info.error else info.load_status.lower(), "error": info.error}
        for info in infos
    }


def list_locations(paths: ProjectPaths) -> dict[str, object]:
    """Each location with its load status; `port` is the one its code server listens on (LOCAL_PORT_OFFSET
    applied), `registry_port` the registry's."""
    registry = load_registry(paths.registry)
    offset = env_int("LOCAL_PORT_OFFSET")
    running, statuses = _load_statuses()
    items = []
    for location in registry.code_locations:
        status = statuses.get(location.name, {"status": "not loaded" if running else "unknown", "error": None})
        entry = location.model_dump(mode="json")
        items.append({**entry, "port": location.port + offset, "registry_port": location.port, **status})
    return {"webserver": "up" if running else "down", "port_offset": offset, "locations": items}


def reserved_names() -> dict[str, object]:
    """What a new location may not be called (the client checks before it asks)."""
    return {
        "names": sorted(name for name in RESERVED_NAMES | set(keyword.kwlist) if NAME_PATTERN.match(name)),
        "pattern": NAME_PATTERN.pattern,
    }


def create_location(paths: ProjectPaths, name: str, template: str, port: int | None, description: str) -> dict:
    result = add(paths, name, port=port, template=template, description=description)
    after_location_change(paths, result.files)
    return {
        "location": result.location.model_dump(mode="json"),
        "files": [path.relative_to(paths.home).as_posix() for path in result.files],
    }


def remove_location(paths: ProjectPaths, name: str, purge: bool) -> dict:
    """Refused while the location has queued or running runs (as the CLI); `purge` needs no prompt here."""
    require_known(load_registry(paths.registry), name)
    runs = webserver.active_runs(name) if webserver.is_up() else []
    result = remove(paths, name, purge=purge, active_runs=runs)
    after_location_change(paths, [paths.home / item for item in result.removed if not item.startswith("table ")])
    return {"location": result.location.name, "removed": result.removed}
