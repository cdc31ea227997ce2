"""`data-manager sync ...` commands (owned by the ingestion work)."""

from __future__ import annotations

import typer

sync_app = typer.Typer(no_args_is_help=True)
