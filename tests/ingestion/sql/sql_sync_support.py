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
