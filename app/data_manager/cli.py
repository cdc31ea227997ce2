"""`data-manager`: the data-manager container's command line.

Exit codes: 0 success, 1 a check or run failed, 2 bad input (one line on stderr).
"""

from __future__ import annotations

import typer

from data_manager.api.cli import register_api_commands
from data_manager.control.cli import register_control_commands
from data_manager.dbt.cli import register_dbt_commands
from data_manager.designer.cli import components_app
from data_manager.ingestion.cli import sync_app

app = typer.Typer(
    name="data-manager",
    help="Serve, validate and manage the platform's code locations; run syncs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
register_control_commands(app)
app.add_typer(sync_app, name="sync", help="Run a sync from the command line.")
register_dbt_commands(app)
register_api_commands(app)
app.add_typer(components_app, name="components")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
