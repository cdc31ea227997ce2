"""The registry's locations for the designer: listed with load status, created and removed through the same
code as `make add-code-location` / `make remove-code-location` (same checks, same refusals)."""

from __future__ import annotations

from data_manager.control import webserver
from data_manager.control.locations import add, remove, require_known
from data_manager.paths import ProjectPaths
from data_manager.registry.store import load_registry

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
    registry = load_registry(paths.registry)
    running, statuses = _load_statuses()
    items = []
    for location in registry.code_locations:
        status = statuses.get(location.name, {"status": "not loaded" if running else "unknown", "error": None})
        items.append({**location.model_dump(mode="json"), **status})
    return {"webserver": "up" if running else "down", "locations": items}


def create_location(paths: ProjectPaths, name: str, template: str, port: int | None, description: str) -> dict:
    from data_manager.control.cli import _notify_platform, _refresh_dbt_manifest

    result = add(paths, name, port=port, template=template, description=description)
    _refresh_dbt_manifest(paths, result.files)
    _notify_platform(paths)
    return {
        "location": result.location.model_dump(mode="json"),
        "files": [path.relative_to(paths.home).as_posix() for path in result.files],
    }


def remove_location(paths: ProjectPaths, name: str, purge: bool) -> dict:
    """Refused while the location has queued or running runs (as the CLI); `purge` needs no prompt here."""
    from data_manager.control.cli import _notify_platform, _refresh_dbt_manifest

    require_known(load_registry(paths.registry), name)
    runs = webserver.active_runs(name) if webserver.is_up() else []
    result = remove(paths, name, purge=purge, active_runs=runs)
    _refresh_dbt_manifest(paths, [paths.home / item for item in result.removed if not item.startswith("table ")])
    _notify_platform(paths)
    return {"location": result.location.name, "removed": result.removed}
