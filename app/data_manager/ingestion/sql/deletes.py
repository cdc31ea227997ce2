"""Rows deleted at the source, found by comparing key sets without holding the keys in memory.

The engine streams the source's primary keys (the table's own reader, key columns only) by COPY into
a temporary table of the sync's transaction (`ON COMMIT DROP`), then one anti-join removes
(`hard`) or marks (`soft`, `_deleted_at = now()`) the target rows whose key is no longer there. Being
part of the table's one transaction, a crash or `kill -9` leaves neither the key table nor a half
sweep behind.
"""

from __future__ import annotations

from dataclasses import replace

import psycopg
from psycopg import sql

from data_manager.ingestion.sql.options import DELETED_AT_COLUMN
from data_manager.ingestion.sql.source import TablePlan


def key_plan(plan: TablePlan) -> TablePlan:
    """The table read as its primary-key columns alone: what the source's reader streams for the sweep."""
    return replace(plan, columns=plan.key_columns, cursor=None)


def create_key_table(conn: psycopg.Connection, plan: TablePlan, name: str) -> sql.Identifier:
    """A temporary table for the source's keys, dropped with the transaction whatever happens."""
    ref = sql.Identifier(name)
    column_defs = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(c.target_name), sql.SQL(c.pg_type)) for c in plan.key_columns
    )
    conn.execute(sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(ref, column_defs))
    return ref


def add_deleted_at_column(conn: psycopg.Connection, target: sql.Composable) -> None:
    """Soft deletes need `_deleted_at`; added only when missing (ALTER TABLE would lock out readers)."""
    conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} timestamptz").format(target, sql.Identifier(DELETED_AT_COLUMN)))


def sweep(conn: psycopg.Connection, plan: TablePlan, target: sql.Composable, keys: sql.Identifier, deletes: str) -> int:
    """Delete (`hard`) or mark (`soft`) target rows whose key the source no longer has; returns how many.

    Soft also clears `_deleted_at` of rows whose key is back, whether or not their cursor moved."""
    conn.execute(sql.SQL("ANALYZE {}").format(keys))  # a fresh temp table has no statistics: plan the anti-join
    match = sql.SQL(" AND ").join(
        sql.SQL("k.{col} = t.{col}").format(col=sql.Identifier(c.target_name)) for c in plan.key_columns
    )
    in_source = sql.SQL("EXISTS (SELECT 1 FROM {keys} k WHERE {match})").format(keys=keys, match=match)
    deleted_at = sql.Identifier(DELETED_AT_COLUMN)
    if deletes == "hard":
        cur = conn.execute(sql.SQL("DELETE FROM {} t WHERE NOT {}").format(target, in_source))
        return cur.rowcount
    cur = conn.execute(
        sql.SQL("UPDATE {target} t SET {col} = now() WHERE t.{col} IS NULL AND NOT {in_source}").format(
            target=target, col=deleted_at, in_source=in_source
        )
    )
    marked = cur.rowcount
    conn.execute(
        sql.SQL("UPDATE {target} t SET {col} = NULL WHERE t.{col} IS NOT NULL AND {in_source}").format(
            target=target, col=deleted_at, in_source=in_source
        )
    )
    return marked
