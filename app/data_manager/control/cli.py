"""Control-plane commands: locations, serve, health, validate, reload, dev."""

from __future__ import annotations

import typer


def register_control_commands(app: typer.Typer) -> None:
    """Add the control-plane commands to the root `data-manager` app."""
