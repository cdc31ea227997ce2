"""Load typed records into an entity's table: append, upsert or replace, in one transaction.

`batch_size` rows go to the server at a time: INSERT for small batches, COPY for batches of at least
COPY_MIN_ROWS (upsert COPYs into a temporary table, then INSERT ... ON CONFLICT from it, skipping rows
that would not change). An upsert into an empty table, locked, is a plain COPY with the unique index
built afterwards (a sorted build beats a million index inserts). The whole load, the table's DDL and
replace's DELETE share one transaction: if anything fails, the table is as it was (for replace: the
old rows stay).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import repeat
from operator import itemgetter
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from data_manager.db import connect
from data_manager.errors import UserError
from data_manager.pipelines.entity_tables import (
    create_unique_index,
    drop_unique_index,
    ensure_entity_table,
    table_identifier,
)
from data_manager.pipelines.models import Entity, EntityColumn, TemplateField
from data_manager.settings import PostgresSettings

COPY_MIN_ROWS = 200
INT_RANGES = {"integer": 2**31, "bigint": 2**63}
# Python types that go into a column unchanged.
EXACT_TYPES: dict[str, tuple[type, ...]] = {
    "text": (str,),
    "integer": (int,),
    "bigint": (int,),
    "decimal": (Decimal, int),
    "double": (float, int),
    "date": (date,),
    "timestamp": (datetime,),
    "boolean": (bool,),
}


class LoadFailed(Exception):
    """The database refused the load; nothing was written."""


@dataclass
class LoadResult:
    strategy: str
    loaded: int = 0
    batches: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def check_mapping(fields: list[TemplateField], entity: Entity, strategy: str) -> list[str]:
    """Problems between a template's fields, the entity and the load strategy (empty when they fit)."""
    columns = {c.name: c for c in entity.columns}
    errors = [f"fields.{f.name}: entity {entity.name} has no column {f.name}" for f in fields if f.name not in columns]
    names = {f.name for f in fields}
    errors += [
        f"entity.columns.{c.name}: NOT NULL but no template field fills it"
        for c in entity.columns
        if not c.nullable and c.name not in names
    ]
    if strategy == "upsert":
        if not entity.unique_fields:
            errors.append(f"load_strategy: upsert needs unique_fields on entity {entity.name}")
        errors += [
            f"entity.unique_fields.{u}: no template field fills it" for u in entity.unique_fields if u not in names
        ]
    return errors


def column_value(kind: str, value: Any) -> Any:
    """`value` as the column type expects it, or ValueError."""
    if value is None:
        return None
    if kind == "text":
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind in INT_RANGES:
        if isinstance(value, bool) or not isinstance(value, int | Decimal) or value != int(value):
            raise ValueError
        if not -INT_RANGES[kind] <= int(value) < INT_RANGES[kind]:
            raise ValueError
        return int(value)
    if kind in ("decimal", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise ValueError
        return value
    if kind == "date":
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError
        return value
    if kind == "timestamp":
        if not isinstance(value, date):
            raise ValueError
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError
        return value
    return Jsonb(value)  # json


def load_columns(entity: Entity, records: list[dict[str, Any]]) -> list[EntityColumn]:
    """The entity's columns the records fill (the first record's keys), or all of them."""
    present = {name for record in records[:1] for name in record}
    return [c for c in entity.columns if c.name in present] or list(entity.columns)


def plain_rows(names: list[str], records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The records as row tuples, values unchecked (C-level: no Python code runs per record)."""
    return list(zip(*(map(dict.get, records, repeat(name)) for name in names), strict=True))


def exactly_typed(columns: list[EntityColumn], records: list[dict[str, Any]]) -> bool:
    """Whether every value already has its column's type and fits it (no None): C-level checks."""
    for column in columns:
        values = list(map(dict.get, records, repeat(column.name)))
        if not values or not set(map(type, values)) <= set(EXACT_TYPES.get(column.type, ())):
            return False
        if (
            column.type in INT_RANGES
            and not -INT_RANGES[column.type] <= min(values) <= max(values) < INT_RANGES[column.type]
        ):
            return False
    return True


def type_records(
    entity: Entity, records: list[dict[str, Any]], record_artifacts: list[int] | None = None
) -> tuple[list[str], list[tuple[Any, ...]], list[dict[str, Any]]]:
    """Column names, row tuples, and a failure per record whose value does not fit its column."""
    columns = load_columns(entity, records)
    names = [c.name for c in columns]
    if exactly_typed(columns, records):
        return names, plain_rows(names, records), []  # nothing to convert or report
    exact_types = [EXACT_TYPES.get(c.type, ()) for c in columns]
    rows, failures = [], []
    for index, record in enumerate(records):
        row, errors = [], []
        for column, exact in zip(columns, exact_types, strict=True):
            value = record.get(column.name)
            if type(value) in exact and (
                column.type not in INT_RANGES or -INT_RANGES[column.type] <= value < INT_RANGES[column.type]
            ):
                row.append(value)  # already the column's type: the common case, kept cheap
                continue
            try:
                row.append(column_value(column.type, value))
                if value is None and not column.nullable:
                    errors.append(f"column {column.name} ({column.type}) is NOT NULL but got nothing")
            except (ValueError, TypeError, OverflowError):
                errors.append(f"column {column.name} ({column.type}) got {value!r}")
        if errors:
            artifact = record_artifacts[index] if record_artifacts else None
            failures.append({"artifact_id": artifact, "record": index + 1, "errors": errors})
        else:
            rows.append(tuple(row))
    return names, rows, failures


def typed_or_failed(
    entity: Entity, records: list[dict[str, Any]], record_artifacts: list[int] | None, failure_policy: str
) -> tuple[list[str], list[tuple[Any, ...]], list[dict[str, Any]]]:
    """type_records, raising LoadFailed for the first bad record under fail_fast."""
    names, rows, failures = type_records(entity, records, record_artifacts)
    if failures and failure_policy == "fail_fast":
        first = failures[0]
        raise LoadFailed(f"record {first['record']} (artifact {first['artifact_id']}): {'; '.join(first['errors'])}")
    return names, rows, failures


def load_records(
    settings: PostgresSettings,
    entity: Entity,
    records: list[dict[str, Any]],
    strategy: str,
    batch_size: int = 1000,
    failure_policy: str = "fail_fast",
    record_artifacts: list[int] | None = None,
    in_transaction: Callable[[psycopg.Connection, LoadResult], None] | None = None,
) -> LoadResult:
    """Load `records`; `in_transaction(conn, result)` runs last inside the load's transaction (commits with it)."""
    with gc_paused():
        return _load_records(
            settings, entity, records, strategy, batch_size, failure_policy, record_artifacts, in_transaction
        )


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic GC while millions of acyclic tuples are built (each full collection walks them all)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load_records(
    settings: PostgresSettings,
    entity: Entity,
    records: list[dict[str, Any]],
    strategy: str,
    batch_size: int,
    failure_policy: str,
    record_artifacts: list[int] | None,
    in_transaction: Callable[[psycopg.Connection, LoadResult], None] | None = None,
) -> LoadResult:
    started = time.perf_counter()
    if strategy == "upsert" and not entity.unique_fields:
        raise UserError(f"upsert needs unique_fields on entity {entity.name}")
    first_load_candidate = strategy == "upsert" and len(records) >= COPY_MIN_ROWS
    # A big upsert types its records later: into an empty table, while the unique index builds.
    typed = None if first_load_candidate else typed_or_failed(entity, records, record_artifacts, failure_policy)
    result = LoadResult(strategy=strategy)
    target = table_identifier(entity)
    total = len(records)
    try:
        with connect(settings) as conn, conn.transaction():
            ensure_entity_table(conn, entity)
            if strategy == "replace":
                conn.execute(sql.SQL("DELETE FROM {}").format(target))
            into_empty = False
            if strategy == "upsert":
                # No other upsert may fill the table between the emptiness check and our COPY.
                conn.execute(sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(target))
                into_empty = conn.execute(sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(target)).fetchone()[0]
            if first_load_candidate and into_empty and first_load(conn, entity, records, batch_size, result):
                total = result.loaded
            else:
                names, rows, result.failures = typed or typed_or_failed(
                    entity, records, record_artifacts, failure_policy
                )
                if strategy == "upsert":
                    rows = last_row_per_key(names, entity.unique_fields, rows)
                total = len(rows)
                for batch in batches(rows, batch_size):
                    if strategy == "upsert" and not into_empty:
                        upsert_batch(conn, target, names, entity.unique_fields, batch)
                    else:
                        insert_batch(conn, target, names, batch)
                    result.batches += 1
                    result.loaded += len(batch)
            if in_transaction is not None:
                in_transaction(conn, result)
    except psycopg.Error as exc:
        reason = exc.diag.message_primary or type(exc).__name__
        detail = f" ({exc.diag.message_detail})" if exc.diag.message_detail else ""
        raise LoadFailed(
            f"loading {entity.schema_name}.{entity.table_name} ({strategy}) failed after "
            f"{result.loaded} of {total} rows, nothing was written: {reason}{detail}"
        ) from None
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def batches(rows: list[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def first_load(
    conn: psycopg.Connection, entity: Entity, records: list[dict[str, Any]], batch_size: int, result: LoadResult
) -> bool:
    """Upsert into the empty, locked table: COPY without the unique index, then build the index.

    The records are checked against their columns while the index builds (the server works, Python
    checks); the rows are deduplicated (the last of a key wins) only when the build finds a duplicate
    key. False, with the savepoint rolled back, when a value needs converting or is refused: the caller
    types the records then (and reports the record at fault).
    """
    columns = load_columns(entity, records)
    names = [c.name for c in columns]
    target = table_identifier(entity)
    rows = plain_rows(names, records)
    for attempt in ("as given", "deduplicated"):
        if attempt == "deduplicated":
            rows = last_row_per_key(names, entity.unique_fields, rows)
        result.batches = result.loaded = 0
        try:
            with conn.transaction() as savepoint:  # a duplicate key or a value to convert undoes only this
                conn.execute(drop_unique_index(entity))
                for batch in batches(rows, batch_size):
                    copy_rows(conn, target, names, batch)
                    result.batches += 1
                    result.loaded += len(batch)
                with ThreadPoolExecutor(max_workers=1) as pool:
                    index_built = pool.submit(conn.execute, create_unique_index(entity))
                    typed = exactly_typed(columns, records)
                    index_built.result()
                if typed:
                    return True
                raise psycopg.Rollback(savepoint)
            break
        except (psycopg.errors.DataError, psycopg.errors.NotNullViolation):
            break  # a value the column refuses: typing the records says which record
        except psycopg.errors.UniqueViolation:
            if attempt == "deduplicated":
                raise
    result.batches = result.loaded = 0
    return False


def last_row_per_key(names: list[str], keys: list[str], rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """One row per unique key, the last one given (so an upsert into an empty table can be a plain COPY)."""
    key_of = itemgetter(*(names.index(k) for k in keys))  # C-level: a value for one key, a tuple for several
    return list({key_of(row): row for row in rows}.values())


def copy_rows(conn: psycopg.Connection, target: sql.Composable, names: list[str], rows: list[tuple[Any, ...]]) -> None:
    columns = sql.SQL(", ").join(map(sql.Identifier, names))
    with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(target, columns)) as copy:
        for row in rows:
            copy.write_row(row)


def insert_batch(
    conn: psycopg.Connection, target: sql.Composable, names: list[str], rows: list[tuple[Any, ...]]
) -> None:
    if len(rows) >= COPY_MIN_ROWS:
        copy_rows(conn, target, names, rows)
        return
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        target, sql.SQL(", ").join(map(sql.Identifier, names)), sql.SQL(", ").join(sql.Placeholder() * len(names))
    )
    with conn.cursor() as cur:
        cur.executemany(query, rows)


def upsert_batch(
    conn: psycopg.Connection, target: sql.Composable, names: list[str], keys: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT ... ON CONFLICT on the unique fields (the caller gives one row per key).

    A row whose values are all unchanged is left alone: no new row version, no index or WAL write."""
    columns = sql.SQL(", ").join(map(sql.Identifier, names))
    updates = [sql.Identifier(n) for n in names if n not in keys]
    changed = sql.SQL("({}) IS DISTINCT FROM ({})").format(
        sql.SQL(", ").join(sql.SQL("{}.{}").format(target, n) for n in updates),
        sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(n) for n in updates),
    )
    conflict = sql.SQL("ON CONFLICT ({}) DO {}").format(
        sql.SQL(", ").join(map(sql.Identifier, keys)),
        sql.SQL("UPDATE SET {} WHERE {}").format(
            sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(n) for n in updates), changed
        )
        if updates
        else sql.SQL("NOTHING"),
    )
    if len(rows) < COPY_MIN_ROWS:
        query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) {}").format(
            target, columns, sql.SQL(", ").join(sql.Placeholder() * len(names)), conflict
        )
        with conn.cursor() as cur:
            cur.executemany(query, rows)
        return
    stage = sql.Identifier("_upsert_stage")
    conn.execute(sql.SQL("CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {}) ON COMMIT DROP").format(stage, target))
    conn.execute(sql.SQL("TRUNCATE {}").format(stage))
    copy_rows(conn, stage, names, rows)
    conn.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {} {}").format(target, columns, columns, stage, conflict))
