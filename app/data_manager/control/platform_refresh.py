"""After files or the registry changed: re-prepare the dbt manifest and tell the running platform.

Services for the CLI (`locations add/remove`) and the platform API (the designer); each returns the lines it
has to say instead of printing them, so every caller reports them its own way.
"""

from __future__ import annotations

from pathlib import Path

from data_manager.errors import UserError
from data_manager.paths import ProjectPaths


def touches_dbt(paths: ProjectPaths, changed: list[Path]) -> bool:
    return any(path == paths.dbt_dir or paths.dbt_dir in path.parents for path in changed)


def refresh_dbt_manifest(paths: ProjectPaths, changed: list[Path]) -> str | None:
    """A location's dbt files changed: re-prepare the shared manifest before any server loads it.

    Raises UserError when dbt cannot parse the project; None when nothing was to do."""
    if not (paths.dbt_dir / "dbt_project.yml").is_file() or not touches_dbt(paths, changed):
        return None
    from data_manager.dbt.prepare import prepare_manifest

    result = prepare_manifest(paths.dbt_dir)
    return f"prepared the dbt manifest ({result.models} models) in {result.seconds:.1f}s"


def notify_platform(paths: ProjectPaths) -> list[str]:
    """After a registry change: re-read it in a local `serve`, then reload the webserver's workspace."""
    from data_manager import webserver
    from data_manager.stack_runtime import signal_supervisor

    notes = []
    if signal_supervisor(paths):
        notes.append("signalled the local data-manager to re-read the registry")
    if webserver.is_up():
        from data_manager.control.reload import wait_and_reload_workspace

        try:
            wait_and_reload_workspace(paths)
        except (webserver.WebserverUnavailable, webserver.WebserverError) as exc:
            notes.append(
                f"warning: the change is saved but the running platform did not reload ({exc}); run `make reload`"
            )
            return notes
        notes.append("reloaded the running platform's workspace")
    return notes


def after_location_change(paths: ProjectPaths, changed: list[Path]) -> list[str]:
    """Both, as `locations add/remove` need them: a dbt failure is a warning (the location is saved)."""
    notes = []
    try:
        note = refresh_dbt_manifest(paths, changed)
    except UserError as exc:
        note = f"warning: the dbt manifest could not be prepared ({exc}); fix it and run `data-manager dbt prepare`"
    if note:
        notes.append(note)
    return notes + notify_platform(paths)
