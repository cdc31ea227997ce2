"""`data-manager sync mysql|mssql`: table syncs into the Postgres cache from the command line.

Progress (rows so far, rate) goes to stderr; `--json` prints the result as one JSON object on stdout.
Exit codes: 0 success, 1 the sync failed, 2 bad input. The URL can come from MYSQL_URL / MSSQL_URL so
that a password never has to appear on a command line; it is masked in every message.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

import typer
from rich.progress import Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text

from data_manager.errors import UserError, cli_errors
from data_manager.ingestion.results import SyncResult, TableSyncResult
from data_manager.ingestion.sql.options import DELETES_MODES, MAX_PARALLEL, MODE_ALIASES, MODES
from data_manager.ingestion.sql.request import SyncRequest
from data_manager.ingestion.sql.source import SqlSource
from data_manager.table_output import progress_console

Mode = StrEnum("Mode", {value: value for value in (*MODES, *MODE_ALIASES)})  # the options module's values
Deletes = StrEnum("Deletes", {value: value for value in DELETES_MODES})


class MySQLReader(StrEnum):
    auto = "auto"
    pymysql = "pymysql"
    connectorx = "connectorx"


TablesOpt = Annotated[str, typer.Option("--tables", help="Comma-separated source tables, e.g. orders,customers")]
SchemaOpt = Annotated[
    str | None, typer.Option("--schema", help="Target Postgres schema (default: CACHE_SCHEMA)", show_default=False)
]
PrefixOpt = Annotated[str, typer.Option("--prefix", help="Prefix for target table names")]
ModeOpt = Annotated[
    Mode,
    typer.Option(
        "--mode",
        help="full-refresh: replace the table (full: the same); incremental: merge on the key (without --cursor: "
        "add rows with new keys only); truncate: empty the table and reload it (grants, views stay); snapshot: "
        "append every row with _loaded_at; backfill: re-read --range of --cursor and merge it",
    ),
]
CursorOpt = Annotated[
    str | None, typer.Option("--cursor", help="Cursor column for incremental and backfill (e.g. updated_at)")
]
RangeOpt = Annotated[
    str | None,
    typer.Option(
        "--range",
        help="Backfill: START,END of the cursor column to re-read, both included (e.g. 2024-01-01,2024-01-31)",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout")]
ChunkOpt = Annotated[int, typer.Option("--chunk-rows", help="Rows per chunk streamed into COPY", min=1)]
DeletesOpt = Annotated[
    Deletes,
    typer.Option(
        "--deletes", help="Incremental: rows gone from the source are kept (ignore), marked _deleted_at (soft), deleted"
    ),
]
LagOpt = Annotated[
    str | None,
    typer.Option(
        "--lag",
        help="Incremental: re-read this far below the watermark (seconds, 90s, 5m, 1h; 0: off) [default: 5m for "
        "date/time cursors]",
        show_default=False,
    ),
]
ParallelOpt = Annotated[
    int,
    typer.Option(
        "--parallel",
        help="full-refresh, backfill: read this many ranges of the (one-column integer) primary key at once",
        min=1,
        max=MAX_PARALLEL,
    ),
]


class _RateColumn(ProgressColumn):
    """Rows per second, from rich's own speed estimate."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} rows/s" if task.speed else "", style="cyan")


def _run_with_progress(run: Callable[[Callable[[str, int], None]], SyncResult]) -> SyncResult:
    console = progress_console()
    columns = (TextColumn("[bold]{task.description}"), TextColumn("{task.completed:,.0f} rows"), _RateColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=False) as progress:
        tasks: dict[str, int] = {}

        def update(table: str, rows: int) -> None:
            if table not in tasks:
                tasks[table] = progress.add_task(table, total=None)
            progress.update(tasks[table], completed=rows)

        return run(update)


def _table_summary(table: TableSyncResult) -> str:
    merged = "" if table.merged is None else f", {table.merged:,} inserted or updated"
    deleted = "" if table.deleted is None else f", {table.deleted:,} deleted"
    return f"{table.target_table} ({table.rows:,} rows read, {table.reader}{merged}{deleted})"


def _report(result: SyncResult, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.summary()))
    elif result.status == "success":
        tables = ", ".join(_table_summary(t) for t in result.tables)
        typer.echo(f"synced {len(result.tables)} table(s) in {result.duration_s:.1f}s: {tables}")
    result.raise_for_status()


def _sync(make_source: Callable[[], SqlSource], url: str, request: SyncRequest, as_json: bool) -> None:
    """Build the source (a bad URL or missing driver is bad input), sync with progress, report."""
    from data_manager.ingestion.masking import mask_secrets
    from data_manager.ingestion.sql.engine import sync_tables

    started = time.monotonic()
    try:
        source = make_source()
    except UserError as exc:
        result = SyncResult.bad_input(mask_secrets(url), request.target_schema, request.mode, str(exc))
    else:
        result = _run_with_progress(lambda progress: sync_tables(source, request, progress=progress))
    _log_duration(started)
    _report(result, as_json)


def register_sql_commands(app: typer.Typer) -> None:
    """Add `mysql` and `mssql` to `data-manager sync`."""

    @app.command("mysql")
    @cli_errors
    def sync_mysql(
        tables: TablesOpt,
        url: Annotated[
            str,
            typer.Option(
                "--url", envvar="MYSQL_URL", show_envvar=True, help="mysql://user:password@host:port/database"
            ),
        ],
        schema: SchemaOpt = None,
        prefix: PrefixOpt = "",
        mode: ModeOpt = Mode("full-refresh"),
        cursor: CursorOpt = None,
        as_json: JsonOpt = False,
        reader: Annotated[
            MySQLReader, typer.Option("--reader", help="auto uses connectorx (fast path) when installed")
        ] = MySQLReader.auto,
        chunk_rows: ChunkOpt = 50_000,
        deletes: DeletesOpt = Deletes("ignore"),
        lag: LagOpt = None,
        range_: RangeOpt = None,
        parallel: ParallelOpt = 1,
    ) -> None:
        """Copy MySQL/MariaDB tables into the Postgres cache (atomic per table)."""
        from data_manager.ingestion.sql.mysql import MySQLSource

        request = SyncRequest(
            tables,
            schema,
            prefix,
            mode.value,
            cursor,
            chunk_rows,
            deletes=deletes.value,
            lag=lag,
            range=range_,
            parallel=parallel,
        )
        _sync(lambda: MySQLSource.from_url(url, reader.value), url, request, as_json)

    @app.command("mssql")
    @cli_errors
    def sync_mssql(
        tables: TablesOpt,
        url: Annotated[
            str,
            typer.Option(
                "--url",
                envvar="MSSQL_URL",
                show_envvar=True,
                help="ODBC connection string (DRIVER=...;SERVER=...) or mssql://user:password@host:port/db?driver=...",
            ),
        ],
        schema: SchemaOpt = None,
        prefix: PrefixOpt = "",
        mode: ModeOpt = Mode("full-refresh"),
        cursor: CursorOpt = None,
        as_json: JsonOpt = False,
        chunk_rows: ChunkOpt = 50_000,
        deletes: DeletesOpt = Deletes("ignore"),
        lag: LagOpt = None,
        range_: RangeOpt = None,
        parallel: ParallelOpt = 1,
    ) -> None:
        """Copy SQL Server tables (dbo.x by default) into the Postgres cache through pyodbc."""
        from data_manager.ingestion.sql.mssql import OdbcSource

        request = SyncRequest(
            tables,
            schema,
            prefix,
            mode.value,
            cursor,
            chunk_rows,
            deletes=deletes.value,
            lag=lag,
            range=range_,
            parallel=parallel,
        )
        _sync(lambda: OdbcSource.mssql(url), url, request, as_json)


def _log_duration(started: float) -> None:
    print(f"finished in {time.monotonic() - started:.1f}s", file=sys.stderr)
