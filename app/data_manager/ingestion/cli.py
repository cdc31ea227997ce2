"""`data-manager sync ...`: each source family registers its own commands here."""

from __future__ import annotations

import typer

from data_manager.ingestion.airbyte.cli import register_airbyte_commands
from data_manager.ingestion.sql.cli import register_sql_commands

sync_app = typer.Typer(no_args_is_help=True)
register_airbyte_commands(sync_app)
register_sql_commands(sync_app)
