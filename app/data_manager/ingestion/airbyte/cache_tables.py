"""`CacheTables`: inspect and clean the tables PyAirbyte writes into a Postgres cache.

Tables of a connector are the ones named `<table_prefix_for(connector)><stream>`; PyAirbyte keeps
its bookkeeping in `_airbyte_state` (per-stream state, keyed by table name) and `_airbyte_streams`
(catalog). Dropping a connector removes its tables and those bookkeeping rows, so the next sync
starts from scratch. PyAirbyte loads through temp tables named `<stream>_<9 ULID chars>`; a crashed
sync leaves them behind and `cleanup_stale_staging_tables` drops the old ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from psycopg import sql

from data_manager.db import connect
from data_manager.errors import UserError
from data_manager.ingestion.airbyte.connectors import list_connectors
from data_manager.ingestion.naming import table_prefix_for
from data_manager.settings import PostgresSettings, env

STATE_TABLE = "_airbyte_state"
STREAMS_TABLE = "_airbyte_streams"
BOOKKEEPING_TABLES = frozenset({STATE_TABLE, STREAMS_TABLE, "_airbyte_destination_state"})
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_TEMP_TABLE = re.compile(rf"^.+_([{_CROCKFORD}]{{6}})[{_CROCKFORD}]{{3}}$")
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
_EARLIEST_ULID = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TableInfo:
    schema: str
    name: str
    rows: int


def temp_table_created_at(table_name: str) -> datetime | None:
    """When PyAirbyte created a temp table, decoded from its ULID suffix (17-minute resolution), else None."""
    match = _TEMP_TABLE.match(table_name)
    if not match:
        return None
    value = 0
    for char in match.group(1):
        value = value * 32 + _CROCKFORD.index(char)
    # 6 of the 10 timestamp characters: the top 30 of 50 bits of the millisecond timestamp.
    created = datetime.fromtimestamp((value << 20) / 1000, tz=UTC)
    if not _EARLIEST_ULID <= created <= datetime.now(UTC) + timedelta(hours=1):
        return None
    return created


class CacheTables:
    """List, drop and clean tables in the cache schema (`CACHE_SCHEMA` by default)."""

    def __init__(self, settings: PostgresSettings | None = None, schema: str | None = None) -> None:
        self.settings = settings or PostgresSettings.from_env()
        self.schema = schema or env("CACHE_SCHEMA")

    def list_schemas(self) -> list[str]:
        """User schemas of the cache database."""
        with connect(self.settings) as conn:
            rows = conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname <> ALL(%s) AND nspname NOT LIKE 'pg\\_%%' ORDER BY 1",
                (list(_SYSTEM_SCHEMAS),),
            ).fetchall()
        return [row[0] for row in rows]

    def list_tables(
        self, prefix: str = "", schema: str | None = None, include_bookkeeping: bool = False
    ) -> list[TableInfo]:
        """Tables whose name starts with `prefix`, with exact row counts."""
        schema = schema or self.schema
        with connect(self.settings) as conn:
            names = self._table_names(conn, schema, prefix)
            if not include_bookkeeping:
                names = [n for n in names if n not in BOOKKEEPING_TABLES]
            tables = []
            for name in names:
                count = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(name))
                ).fetchone()
                tables.append(TableInfo(schema=schema, name=name, rows=int(count[0]) if count else 0))
        return tables

    def connector_tables(self, connector_name: str, schema: str | None = None) -> list[str]:
        """Names of the tables that belong to a connector (its prefix, minus tables registered to a longer prefix)."""
        schema = schema or self.schema
        prefix = table_prefix_for(connector_name)
        with connect(self.settings) as conn:
            return self._owned_tables(conn, schema, prefix)

    def drop_connector_tables(self, connector_name: str, schema: str | None = None) -> list[str]:
        """Drop a connector's tables and its PyAirbyte state and catalog rows in one transaction."""
        return self.drop_prefix(table_prefix_for(connector_name), schema)

    def drop_prefix(self, prefix: str, schema: str | None = None) -> list[str]:
        """Drop the tables owned by `prefix` (see `connector_tables`) and their PyAirbyte state and catalog rows."""
        if not prefix or not prefix.endswith("_"):
            raise UserError(f"refusing to drop tables by prefix {prefix!r}: a connector prefix ends with '_'")
        schema = schema or self.schema
        with connect(self.settings) as conn, conn.transaction():
            tables = self._owned_tables(conn, schema, prefix)
            for name in tables:
                conn.execute(sql.SQL("DROP TABLE IF EXISTS {}.{}").format(sql.Identifier(schema), sql.Identifier(name)))
            existing = set(self._table_names(conn, schema, "_airbyte_"))
            for bookkeeping in (STATE_TABLE, STREAMS_TABLE):
                if bookkeeping not in existing:
                    continue
                rows = conn.execute(
                    sql.SQL("SELECT table_name FROM {}.{} WHERE left(table_name, %s) = %s").format(
                        sql.Identifier(schema), sql.Identifier(bookkeeping)
                    ),
                    (len(prefix), prefix),
                ).fetchall()
                owned = self._owned_names([row[0] for row in rows], prefix)
                conn.execute(
                    sql.SQL("DELETE FROM {}.{} WHERE table_name = ANY(%s)").format(
                        sql.Identifier(schema), sql.Identifier(bookkeeping)
                    ),
                    (owned,),
                )
        return tables

    def cleanup_stale_staging_tables(
        self, older_than: timedelta = timedelta(hours=6), schema: str | None = None, dry_run: bool = False
    ) -> list[str]:
        """Drop PyAirbyte temp tables left by crashed syncs: ULID-suffixed, older than `older_than`, not a stream table."""
        schema = schema or self.schema
        cutoff = datetime.now(UTC) - older_than
        with connect(self.settings) as conn, conn.transaction():
            names = self._table_names(conn, schema, "")
            registered = set()
            if STREAMS_TABLE in names:
                registered = {
                    row[0]
                    for row in conn.execute(
                        sql.SQL("SELECT table_name FROM {}.{}").format(
                            sql.Identifier(schema), sql.Identifier(STREAMS_TABLE)
                        )
                    )
                }
            stale = []
            for name in names:
                created = temp_table_created_at(name)
                if (
                    created is not None
                    and created < cutoff
                    and name not in registered
                    and name not in BOOKKEEPING_TABLES
                ):
                    stale.append(name)
            if not dry_run:
                for name in stale:
                    conn.execute(
                        sql.SQL("DROP TABLE IF EXISTS {}.{}").format(sql.Identifier(schema), sql.Identifier(name))
                    )
        return stale

    @staticmethod
    def _table_names(conn, schema: str, prefix: str) -> list[str]:
        rows = conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') AND left(c.relname, %s) = %s ORDER BY 1",
            (schema, len(prefix), prefix),
        ).fetchall()
        return [row[0] for row in rows]

    def _owned_tables(self, conn, schema: str, prefix: str) -> list[str]:
        candidates = [n for n in self._table_names(conn, schema, prefix) if n not in BOOKKEEPING_TABLES]
        return self._owned_names(candidates, prefix)

    @staticmethod
    def _owned_names(names: list[str], prefix: str) -> list[str]:
        """Drop names that belong to another known connector whose prefix extends ours (`faker_` vs `faker_extra_`)."""
        longer = [p for p in {table_prefix_for(c) for c in list_connectors()} if p != prefix and p.startswith(prefix)]
        return [n for n in names if n.startswith(prefix) and not any(n.startswith(p) for p in longer)]
