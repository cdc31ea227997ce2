"""`data-manager sync` commands for airbyte sources."""

from __future__ import annotations

import typer


def register_airbyte_commands(app: typer.Typer) -> None:
    """Add this family's `sync` subcommands to `app`."""
