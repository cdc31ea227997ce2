"""`data-manager sync` commands for sql sources."""

from __future__ import annotations

import typer


def register_sql_commands(app: typer.Typer) -> None:
    """Add this family's `sync` subcommands to `app`."""
