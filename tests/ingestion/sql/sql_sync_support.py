"""Helpers for the SQL table-sync tests: run statements on the throw-away MariaDB and Postgres databases."""

from __future__ import annotations

from typing import Any

import psycopg

from data_manager.settings import PostgresSettings


def mysql_exec(mysql_db: Any, *statements: str, many: tuple[str, list[tuple]] | None = None) -> None:
    conn = mysql_db.connect(autocommit=True)
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
            if many:
                cur.executemany(*many)
    finally:
        conn.close()


def upsert_orders(mysql_db: Any, rows: list[tuple]) -> None:
    """The `orders` table (id, status, amount, updated_at DATETIME(6)), created if missing, rows replaced by id."""
    mysql_exec(
        mysql_db,
        "CREATE TABLE IF NOT EXISTS orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL,"
        " amount DECIMAL(10,2), updated_at DATETIME(6) NOT NULL)",
        many=("REPLACE INTO orders VALUES (%s, %s, %s, %s)", rows),
    )


def pg_query(pg: PostgresSettings, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg.connect(**pg.connect_kwargs()) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        cur = conn.execute(query, params or None)
        return cur.fetchall() if cur.description else []


def pg_schemas(pg: PostgresSettings) -> set[str]:
    rows = pg_query(
        pg, "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
    )
    return {row[0] for row in rows} - {"public"}


def sync_mysql(url: str, tables: Any, *, pg: Any = None, reader: str = "auto", progress: Any = None, **request: Any):
    """A MySQL table sync as the CLI and the component run it: a source, a request, `sync_tables`."""
    from data_manager.ingestion.sql.engine import sync_tables
    from data_manager.ingestion.sql.mysql import MySQLSource
    from data_manager.ingestion.sql.request import SyncRequest

    return sync_tables(MySQLSource.from_url(url, reader), SyncRequest(tables, **request), pg=pg, progress=progress)  # type: ignore[arg-type]


def sync_odbc(source: Any, tables: Any, *, pg: Any = None, **request: Any):
    """An ODBC table sync from an already built `OdbcSource`."""
    from data_manager.ingestion.sql.engine import sync_tables
    from data_manager.ingestion.sql.request import SyncRequest

    return sync_tables(source, SyncRequest(tables, **request), pg=pg)
