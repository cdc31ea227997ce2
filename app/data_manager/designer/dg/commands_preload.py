"""Imported by the dg forkserver (dg/forks.py): dg's subcommands, defined once instead of in every fork.

dg registers its subcommands when a command is first looked up, importing their modules then (dagster-cloud-cli
and prompt_toolkit among them): about a quarter of a warm `dg check defs` before this, by py-spy.
"""

from __future__ import annotations

import click

from data_manager.dagster_private_api import dg_cli

dg_cli.list_commands(click.Context(dg_cli))
