"""`data-manager dev`: the local stack's command, registered on the root app (imports run cli -> local -> control)."""

from __future__ import annotations

from typing import Annotated

import typer

from data_manager.errors import cli_errors
from data_manager.paths import ProjectPaths


def register_local_commands(app: typer.Typer) -> None:
    @app.command("dev")
    @cli_errors
    def dev_command(
        prepare: Annotated[bool, typer.Option(help="Prepare the dbt manifest and seed sample data first.")] = True,
        dbt_prepare: Annotated[
            bool, typer.Option(help="With --prepare, also parse dbt (`make dev` and `make test` did already).")
        ] = True,
    ) -> None:
        """Run serve + webserver + daemon locally (make dev). Ctrl-C stops everything."""
        from data_manager.local.dev import run_dev

        raise typer.Exit(run_dev(ProjectPaths.discover(), prepare=prepare, dbt_prepare=dbt_prepare))
