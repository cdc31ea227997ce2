"""Create and extend an entity's table from its record, safely.

Identifiers are validated (pattern) and quoted (`sql.Identifier`); column types come only from the
fixed `COLUMN_TYPES` map. Existing columns are never dropped or retyped: a type that differs from
the record is an error naming the column, so data is never converted behind the user's back.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import psycopg
from psycopg import sql

from data_manager.errors import UserError
from data_manager.ingestion.sql.identifiers import validate_identifier
from data_manager.pipelines.schema import COLUMN_TYPES

if TYPE_CHECKING:
    from data_manager.pipelines.models import Entity


def table_identifier(entity: Entity) -> sql.Composed:
    return sql.SQL("{}.{}").format(
        sql.Identifier(validate_identifier(entity.schema_name, "entity schema")),
        sql.Identifier(validate_identifier(entity.table_name, "entity table")),
    )


def unique_index_name(entity: Entity) -> str:
    digest = hashlib.sha1(",".join(entity.unique_fields).encode()).hexdigest()[:8]
    return f"{entity.table_name[:40]}_uq_{digest}"


def existing_columns(conn: psycopg.Connection, entity: Entity) -> dict[str, str]:
    """Column name -> Postgres type (format_type) of the entity's table, empty when it does not exist."""
    rows = conn.execute(
        """SELECT a.attname, format_type(a.atttypid, a.atttypmod)
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""",
        (entity.schema_name, entity.table_name),
    ).fetchall()
    return {_value(row, 0): _value(row, 1) for row in rows}


def create_unique_index(entity: Entity) -> sql.Composable:
    """The unique index on the entity's unique fields, which upserts' ON CONFLICT needs."""
    return sql.SQL("CREATE UNIQUE INDEX IF NOT EXISTS {} ON {} ({})").format(
        sql.Identifier(unique_index_name(entity)),
        table_identifier(entity),
        sql.SQL(", ").join(map(sql.Identifier, entity.unique_fields)),
    )


def drop_unique_index(entity: Entity) -> sql.Composable:
    return sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(entity.schema_name, unique_index_name(entity)))


def ensure_entity_table(conn: psycopg.Connection, entity: Entity) -> list[str]:
    """Create the table or add its missing columns and unique index, inside the caller's transaction.

    Returns the DDL statements run (as text, for logs).
    """
    for column in entity.columns:
        validate_identifier(column.name, "column name")
        if column.type not in COLUMN_TYPES:
            raise UserError(f"column {column.name}: unknown type {column.type!r} (use {', '.join(COLUMN_TYPES)})")
    target = table_identifier(entity)
    statements: list[sql.Composable] = [
        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(entity.schema_name))
    ]
    current = existing_columns(conn, entity)
    if not current:
        definitions = sql.SQL(", ").join(
            sql.SQL("{} {}{}").format(
                sql.Identifier(c.name), sql.SQL(COLUMN_TYPES[c.type]), sql.SQL("" if c.nullable else " NOT NULL")
            )
            for c in entity.columns
        )
        statements.append(sql.SQL("CREATE TABLE {} ({})").format(target, definitions))
    else:
        mismatched = [
            f"{c.name} is {current[c.name]} in {entity.schema_name}.{entity.table_name}, the entity says {c.type}"
            for c in entity.columns
            if c.name in current and current[c.name] != COLUMN_TYPES[c.type]
        ]
        if mismatched:
            raise UserError("column type mismatch: " + "; ".join(mismatched) + " (alter the table yourself)")
        statements.extend(
            sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                target, sql.Identifier(c.name), sql.SQL(COLUMN_TYPES[c.type])
            )
            for c in entity.columns
            if c.name not in current
        )
    if entity.unique_fields:
        statements.append(create_unique_index(entity))
    for statement in statements:
        conn.execute(statement)
    return [statement.as_string(conn) for statement in statements]


def _value(row: object, index: int) -> str:
    return list(row.values())[index] if isinstance(row, dict) else row[index]  # type: ignore[index]
