"""`SqlTableSyncComponent`: MySQL/SQL Server tables into the Postgres cache, declared in a defs.yaml.

A thin layer over `data_manager.ingestion.sql`: one asset per table, with the stable key
`[<target_schema>, <table_prefix><table>]` (lower case, the Postgres table it writes) so dbt sources
can point at it through `meta.dagster.asset_key`. Loading definitions imports no database driver,
pandas or psycopg; the sync modules are imported when the asset runs.

    type: data_manager.components.SqlTableSyncComponent
    attributes:
      source: mysql
      tables: [orders, customers]
      mode: incremental      # full-refresh (default), incremental, truncate, snapshot, backfill
      cursor_column: updated_at
      deletes: soft          # rows deleted at the source get _deleted_at (hard: deleted too; ignore)
      lag: 5m                # re-read the last 5 minutes below the watermark (late commits)
      group_name: shop

Connection settings come from the environment at run time. MySQL: `url_env` (a variable holding a
mysql:// URL) when set and non-empty, else the MYSQL_HOST/PORT/USER/PASSWORD/DB variables (names
overridable). SQL Server: the variable named by `url_env` (default MSSQL_URL) holding an ODBC string
or mssql:// URL. `table_prefix` defaults to `<database>_`, the database being the `database`
attribute, else MYSQL_DB's value (mysql) or the DATABASE of the MSSQL URL (mssql, `mssql_` if unset)
at load time; set `table_prefix` explicitly when asset keys must not depend on the environment.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

import dagster as dg
from pydantic import BeforeValidator, Field

from data_manager.components.definition_names import GROUP_NAME, POSTGRES_IDENTIFIER
from data_manager.execution.pools import sync_pool
from data_manager.ingestion.naming import POSTGRES_MAX_IDENTIFIER, OwnedTable, sql_table_prefix, target_table_name
from data_manager.ingestion.sql.identifiers import parse_table_name
from data_manager.ingestion.sql.options import MAX_PARALLEL, Deletes, Mode, check_options, unaliased
from data_manager.settings import SETTINGS, env

PROGRESS_LOG_SECONDS = 10.0


def _env_value(name: str) -> str:
    """A variable's value, with the platform's documented default for well-known names."""
    return env(name) if name in SETTINGS else os.environ.get(name, "")


def _odbc_database(connection: str) -> str | None:
    if "://" in connection:
        path = connection.split("://", 1)[1].split("?", 1)[0]
        return path.split("/", 1)[1] if "/" in path and path.split("/", 1)[1] else None
    for part in connection.split(";"):
        key, _, value = part.partition("=")
        if key.strip().upper() in {"DATABASE", "INITIAL CATALOG"} and value.strip():
            return value.strip().strip("{}")
    return None


class SyncRange(dg.Model, dg.Resolvable):
    """A backfill's range of the cursor column, both ends included (dates and times as ISO text)."""

    start: int | float | str = Field(description="First cursor value to re-read, e.g. 2024-01-01 or 1000.")
    end: int | float | str = Field(description="Last cursor value to re-read (included), e.g. 2024-01-31.")


class SqlTableSyncComponent(dg.Component, dg.Model, dg.Resolvable):
    """Sync MySQL/MariaDB or SQL Server tables into the Postgres cache, one asset per table."""

    source: Literal["mysql", "mssql"] = Field(description="Source database kind.")
    tables: list[str] = Field(min_length=1, description="Source tables (`name` or `schema.name`).")
    mode: Annotated[Mode, BeforeValidator(unaliased)] = Field(
        default="full-refresh",
        description="full-refresh: replace the table (`full` is accepted too); incremental: merge on the primary "
        "key the rows with cursor >= the watermark (without cursor_column: add rows with new keys only); "
        "truncate: empty the table and reload it, keeping its grants and dependent views; snapshot: append "
        "every row with a `_loaded_at` timestamp (one value per run); backfill: re-read `range` of the cursor "
        "column and merge it.",
    )
    cursor_column: str | None = Field(
        default=None, description="Cursor column: incremental reads from its watermark, backfill reads its range."
    )
    range: SyncRange | None = Field(
        default=None,
        description="Backfill only: {start, end} of cursor_column to re-read and merge (both included); the "
        "watermark of incremental runs stays as it was.",
    )
    parallel: int = Field(
        default=1,
        ge=1,
        le=MAX_PARALLEL,
        description="full-refresh and backfill: read this many ranges of the primary key at once (1 to 16; the "
        "key must be one integer column). Memory stays bounded: a few chunks per range.",
    )
    deletes: Deletes = Field(
        default="ignore",
        description="Incremental: rows deleted at the source are kept (ignore), marked in a `_deleted_at` "
        "column (soft) or deleted (hard); soft and hard compare key sets and need a primary key.",
    )
    lag: int | float | str | None = Field(
        default=None,
        description="Incremental: start reading this far below the watermark so late commits are not missed "
        "(seconds or a duration: 90s, 5m, 1h; 0 turns it off). Default 5m for date/time cursors, 0 for others.",
    )
    target_schema: str | None = Field(
        default=None,
        max_length=POSTGRES_MAX_IDENTIFIER,
        pattern=POSTGRES_IDENTIFIER,
        description="Postgres schema (letters, digits, _; at most 63); default CACHE_SCHEMA.",
    )
    table_prefix: str | None = Field(
        default=None,
        max_length=POSTGRES_MAX_IDENTIFIER - 1,
        pattern=r"^[A-Za-z0-9_]*$",
        description="Target table prefix (letters, digits, _); default `<database>_`.",
    )
    database: str | None = Field(default=None, description="Source database name (overrides the env).")
    group_name: str | None = Field(
        default=None, pattern=GROUP_NAME, description="Dagster asset group: letters, digits, _ (segments split by /)."
    )
    deps: list[str] = Field(default_factory=list, description="Upstream asset keys, e.g. `raw/orders`.")
    url_env: str | None = Field(default=None, description="Env var holding a URL (mssql default: MSSQL_URL).")
    host_env: str = "MYSQL_HOST"
    port_env: str = "MYSQL_PORT"
    user_env: str = "MYSQL_USER"
    password_env: str = "MYSQL_PASSWORD"
    database_env: str = "MYSQL_DB"
    reader: Literal["auto", "pymysql", "connectorx"] = Field(default="auto", description="MySQL reader.")
    chunk_rows: int = Field(default=50_000, ge=1, le=10_000_000, description="Rows per COPY chunk (1 to 10,000,000).")

    # --- names, computed at load time without touching any database -----------------------------

    def resolved_schema(self) -> str:
        return (self.target_schema or env("CACHE_SCHEMA")).lower()

    def resolved_prefix(self) -> str:
        if self.table_prefix is not None:
            return self.table_prefix
        if self.database:
            database = self.database
        elif self.source == "mysql":
            url = _env_value(self.url_env) if self.url_env else ""
            database = url.rsplit("/", 1)[-1].split("?", 1)[0] if url else _env_value(self.database_env)
        else:
            database = _odbc_database(_env_value(self.url_env or "MSSQL_URL")) or "mssql"
        return sql_table_prefix(database)

    def target_table(self, table: str) -> str:
        return target_table_name(self.resolved_prefix(), parse_table_name(table))

    def owned_tables(self) -> list[OwnedTable]:
        """The Postgres tables this component writes: `locations remove --purge` drops exactly these."""
        return [OwnedTable(self.resolved_schema(), self.target_table(table), "sql") for table in self.tables]

    def asset_key(self, table: str) -> dg.AssetKey:
        return dg.AssetKey([self.resolved_schema(), self.target_table(table)])

    # --- definitions -------------------------------------------------------------------------------

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        from data_manager.errors import UserError
        from data_manager.ingestion.sql.identifiers import parse_table_list

        try:  # names and options are checked when the location loads, not only when a run starts
            check_options(
                self.mode,
                self.deletes,
                self.lag,
                cursor_column=self.cursor_column,
                range_=self._range(),
                parallel=self.parallel,
            )
            for ref in parse_table_list(self.tables):
                target_table_name(self.resolved_prefix(), ref)
        except UserError as exc:
            raise ValueError(f"SqlTableSyncComponent ({self.source}): {exc}") from None
        schema = self.resolved_schema()
        deps = [dg.AssetKey.from_user_string(dep) for dep in self.deps]
        specs = [
            dg.AssetSpec(
                key=self.asset_key(table),
                group_name=self.group_name,
                deps=deps,
                kinds={self.source, "postgres"},
                description=f"{self.source} table {table}, synced ({self.mode}) into {schema}.{self.target_table(table)}",
                metadata={"schema": schema, "table": self.target_table(table), "source_table": table},
            )
            for table in self.tables
        ]
        by_key = {self.asset_key(table): table for table in self.tables}
        name = f"sql_sync_{schema}_{self.resolved_prefix()}{'_'.join(t.rsplit('.', 1)[-1] for t in self.tables)}"
        op_name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name.lower())[:200]

        pool = sync_pool("sql", schema, self.resolved_prefix().rstrip("_") or self.source)  # runs take turns

        @dg.multi_asset(specs=specs, name=op_name, can_subset=True, pool=pool)
        def _sync(context) -> Iterator[dg.MaterializeResult]:  # unannotated: dagster inspects the annotation
            selected = [by_key[key] for key in context.selected_asset_keys if key in by_key]
            yield from self.execute(context, [t for t in self.tables if t in selected])

        return dg.Definitions(assets=[_sync])

    # --- run time ------------------------------------------------------------------------------------

    def execute(self, context: dg.AssetExecutionContext, tables: list[str]) -> Iterator[dg.MaterializeResult]:
        """Run the sync (drivers are imported only here) and turn its result into materializations."""
        from data_manager.errors import UserError

        last_log = [time.monotonic()]

        def progress(table: str, rows: int) -> None:
            if time.monotonic() - last_log[0] >= PROGRESS_LOG_SECONDS:
                last_log[0] = time.monotonic()
                context.log.info(f"{table}: {rows:,} rows copied so far")

        try:
            result = self._run_sync(tables, progress)
        except (UserError, ValueError) as exc:
            raise dg.Failure(description=f"{self.source} table sync failed: {exc}") from None
        context.log.info(
            f"{self.source} sync {result.status}: {result.total_rows} rows in {result.duration_s}s from {result.source}"
        )
        for table_result in result.tables:
            source_table = next(t for t in tables if self.target_table(t) == table_result.target_table.split(".")[-1])
            yield dg.MaterializeResult(
                asset_key=self.asset_key(source_table),
                metadata={
                    "rows": table_result.rows,
                    "total_rows": table_result.total_rows,
                    "duration_s": table_result.duration_s,
                    "schema": result.target_schema,
                    "table": table_result.target_table.split(".", 1)[1],
                    "source_table": table_result.source_table,
                    "mode": table_result.mode,
                    "reader": table_result.reader,
                    "watermark": table_result.watermark or "",
                    "deletes": self.deletes,
                    **({"deleted": table_result.deleted} if table_result.deleted is not None else {}),
                    **({"merged": table_result.merged} if table_result.merged is not None else {}),
                },
            )
        if result.status == "failed":
            raise dg.Failure(
                description=f"{self.source} table sync failed: {result.error}",
                metadata={"source": result.source, "error": result.error or ""},
            )

    def _run_sync(self, tables: list[str], progress: Callable[[str, int], None]) -> Any:
        from data_manager.ingestion.sql.engine import sync_tables
        from data_manager.ingestion.sql.request import SyncRequest

        request = SyncRequest(
            tables=tables,
            target_schema=self.resolved_schema(),
            table_prefix=self.resolved_prefix(),
            mode=self.mode,
            cursor_column=self.cursor_column,
            chunk_rows=self.chunk_rows,
            deletes=self.deletes,
            lag=self.lag,
            range=self._range(),
            parallel=self.parallel,
        )
        return sync_tables(self._source(), request, progress=progress)

    def _range(self) -> tuple[Any, Any] | None:
        return (self.range.start, self.range.end) if self.range else None

    def _source(self) -> Any:
        """The source from the environment at run time (drivers are imported here, not at load)."""
        if self.source == "mysql":
            from data_manager.ingestion.sql.connections import MySQLConnection
            from data_manager.ingestion.sql.mysql import MySQLSource

            url = _env_value(self.url_env) if self.url_env else ""
            if url:
                connection = MySQLConnection.from_url(url)
            else:
                connection = MySQLConnection(
                    host=_env_value(self.host_env),
                    port=int(_env_value(self.port_env) or 3306),
                    user=_env_value(self.user_env),
                    password=_env_value(self.password_env),
                    database=_env_value(self.database_env),
                )
            if self.database:
                connection = MySQLConnection(
                    connection.host, connection.port, connection.user, connection.password, self.database
                )
            return MySQLSource(connection, self.reader)

        from data_manager.ingestion.sql.mssql import OdbcSource

        variable = self.url_env or "MSSQL_URL"
        url = _env_value(variable)
        if not url:
            raise dg.Failure(description=f"environment variable {variable} is not set: it must hold the MSSQL URL")
        return OdbcSource.mssql(url)
