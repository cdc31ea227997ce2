"""`data-manager worker`: run the steps of some or all locations as a Celery worker (EXECUTOR=celery).

Exit codes: 0 stopped; 2 bad input (no broker, an unknown location).
"""

from __future__ import annotations

from typing import Annotated

import typer

from data_manager.errors import UserError, cli_errors
from data_manager.settings import env, env_int


def worker_locations(requested: list[str], enabled: list[str]) -> list[str]:
    """The locations a worker serves: those asked for (or CELERY_WORKER_LOCATIONS), else every enabled one."""
    names = requested or [name.strip() for name in env("CELERY_WORKER_LOCATIONS").split(",") if name.strip()]
    unknown = [name for name in names if name not in enabled]
    if unknown:
        raise UserError(f"not an enabled location: {', '.join(unknown)} (enabled: {', '.join(enabled)})")
    if not names and not enabled:
        raise UserError("no enabled location to serve")
    return names or enabled


def register_worker_commands(app: typer.Typer) -> None:
    @app.command("worker")
    @cli_errors
    def worker_command(
        location: Annotated[
            list[str] | None,
            typer.Option(
                "--location", "-l", help="A location whose steps to run (repeat; default: every enabled one)."
            ),
        ] = None,
        concurrency: Annotated[
            int | None, typer.Option(help="Steps run at once, one process each (default CELERY_WORKER_CONCURRENCY).")
        ] = None,
        name: Annotated[
            str | None, typer.Option(help="Worker name (default: locations, a random tag, the host).")
        ] = None,
    ) -> None:
        """Run the steps of the locations' runs as a Celery worker (EXECUTOR=celery). TERM lets running steps end."""
        from data_manager.execution.celery_config import CelerySettings
        from data_manager.execution.worker import run_worker
        from data_manager.locations.registry_store import load_registry
        from data_manager.paths import ProjectPaths

        CelerySettings.from_env()  # no broker: one line, exit 2
        enabled = [loc.name for loc in load_registry(ProjectPaths.discover().registry).enabled]
        run_worker(
            worker_locations(location or [], enabled),
            concurrency or env_int("CELERY_WORKER_CONCURRENCY"),
            name,
        )
