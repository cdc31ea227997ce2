"""`data-manager sync airbyte CONNECTOR`: run one PyAirbyte connector from the command line.

Progress (rows so far, rate) goes to stderr; with `--json` stdout carries only the JSON summary.
Exit codes: 0 synced, 1 the read failed, 2 bad input or an unreachable/failed `check`.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time

import typer

from data_manager.errors import UserError, cli_errors


class ProgressPrinter:
    """Prints `N rows, R rows/s` to stderr at most once a second."""

    def __init__(self, connector: str, interval: float = 1.0) -> None:
        self.connector = connector
        self.interval = interval
        self._last = 0.0
        self.rows = 0

    def __call__(self, rows: int, seconds: float) -> None:
        self.rows = rows
        now = time.monotonic()
        if rows and now - self._last >= self.interval:
            self._last = now
            rate = rows / seconds if seconds > 0 else 0.0
            print(f"{self.connector}: {rows:,} rows so far, {rate:,.0f} rows/s", file=sys.stderr, flush=True)


def register_airbyte_commands(app: typer.Typer) -> None:
    """Add this family's `sync` subcommands to `app`."""

    @app.command("airbyte")
    @cli_errors
    def sync_airbyte(
        connector: str = typer.Argument(..., help="Connector name: external-connectors/<CONNECTOR>.yaml"),
        streams: str | None = typer.Option(None, "--streams", help="Comma-separated streams (default: all)"),
        cache: str = typer.Option("default", "--cache", help="Named cache (see PYAIRBYTE_CACHES_FILE)"),
        full_refresh: bool = typer.Option(False, "--full-refresh", help="Re-read everything, ignoring state"),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON summary on stdout"),
    ) -> None:
        """Sync a PyAirbyte connector into the Postgres cache."""
        from data_manager.ingestion.airbyte.sync import sync_connector

        stream_list = None
        if streams is not None:
            stream_list = [s.strip() for s in streams.split(",") if s.strip()]
            if not stream_list:
                raise UserError("--streams is empty: give stream names like --streams users,products")
        progress = ProgressPrinter(connector)
        # PyAirbyte prints status lines to stdout; keep stdout for our summary only.
        with contextlib.redirect_stdout(sys.stderr):
            result = sync_connector(
                connector,
                stream_list,
                write_strategy="auto",
                full_refresh=full_refresh,
                cache_name=cache,
                on_progress=progress,
            )
        if as_json:
            print(json.dumps(result.summary(), sort_keys=True))
        elif result.ok:
            for table in result.tables:
                print(f"{table.target_table}: {table.rows:,} records")
        result.raise_for_status()
        rate = result.total_rows / result.duration_s if result.duration_s else 0.0
        print(
            f"{connector}: synced {result.total_rows:,} records in {result.duration_s:.1f}s ({rate:,.0f} rows/s)",
            file=sys.stderr,
        )
