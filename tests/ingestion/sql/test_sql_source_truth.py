"""Incremental syncs that stay true to the source: deletes found by key sets, a lag for late commits,
no rewrites of unchanged rows, and the refusals of options that cannot work (real MariaDB + Postgres)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from ingestion.sql.sql_sync_support import mysql_exec, pg_query, pg_schemas, sync_mysql, upsert_orders

T0 = dt.datetime(2024, 1, 1, 12, 0, 0)


def _incremental(pg: Any, **extra: Any) -> dict[str, Any]:
    return dict(target_schema="raw", mode="incremental", cursor_column="updated_at", pg=pg, **extra)


def _ids(pg: Any, where: str = "true") -> list[int]:
    return [row[0] for row in pg_query(pg, f"SELECT id FROM raw.orders WHERE {where} ORDER BY id")]


# --- deletes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("deletes", "reader"), [("ignore", "connectorx"), ("hard", "connectorx"), ("hard", "pymysql")])
def test_deletes_ignore_or_hard(deletes: str, reader: str, mysql_database, mysql_url, pg_database) -> None:
    upsert_orders(mysql_database, [(i, "new", Decimal(i), T0 + dt.timedelta(minutes=i)) for i in range(1, 11)])
    kwargs = _incremental(pg_database, deletes=deletes, reader=reader, chunk_rows=3)
    assert sync_mysql(mysql_url, "orders", **kwargs).status == "success"

    mysql_exec(mysql_database, "DELETE FROM orders WHERE id IN (2, 5, 10)")  # 10 holds the watermark
    progress: dict[str, int] = {}
    result = sync_mysql(mysql_url, "orders", progress=progress.__setitem__, **kwargs)
    assert result.status == "success", result.error
    if deletes == "ignore":
        assert result.tables[0].deleted is None and _ids(pg_database) == list(range(1, 11))
        assert "orders keys" not in progress
    else:
        assert result.tables[0].deleted == 3 and result.tables[0].total_rows == 7
        assert _ids(pg_database) == [1, 3, 4, 6, 7, 8, 9]
        assert progress["orders keys"] == 7  # the key stream reports its progress as its own line
    assert pg_query(pg_database, "SELECT relname FROM pg_class WHERE relname LIKE '\\_dm\\_stage%'") == []


def test_soft_deletes_mark_and_clear_deleted_at(mysql_database, mysql_url, pg_database) -> None:
    rows = [(i, "new", Decimal(i), T0 + dt.timedelta(minutes=i)) for i in range(1, 11)]
    upsert_orders(mysql_database, rows)
    kwargs = _incremental(pg_database, deletes="soft")
    first = sync_mysql(mysql_url, "orders", **kwargs)
    assert first.status == "success", first.error
    assert _ids(pg_database, "_deleted_at IS NULL") == list(range(1, 11))

    mysql_exec(mysql_database, "DELETE FROM orders WHERE id IN (2, 5)")
    second = sync_mysql(mysql_url, "orders", **kwargs)
    assert second.status == "success", second.error
    assert second.tables[0].deleted == 2 and second.tables[0].total_rows == 10  # soft: rows stay, marked
    assert _ids(pg_database, "_deleted_at IS NOT NULL") == [2, 5]
    marked_at = pg_query(pg_database, "SELECT _deleted_at FROM raw.orders WHERE id = 2")

    # row 5 comes back with its old cursor (below the watermark, outside the lag): the key sweep clears it
    upsert_orders(mysql_database, [rows[4]])
    third = sync_mysql(mysql_url, "orders", **kwargs)
    assert third.status == "success", third.error
    assert third.tables[0].deleted == 0  # row 2 was already marked: not counted (or re-stamped) again
    assert _ids(pg_database, "_deleted_at IS NOT NULL") == [2]
    assert pg_query(pg_database, "SELECT _deleted_at FROM raw.orders WHERE id = 2") == marked_at


def test_soft_deletes_add_the_column_to_an_existing_target(mysql_database, mysql_url, pg_database) -> None:
    upsert_orders(mysql_database, [(i, "new", Decimal(i), T0) for i in range(1, 4)])
    assert sync_mysql(mysql_url, "orders", **_incremental(pg_database)).status == "success"
    mysql_exec(mysql_database, "DELETE FROM orders WHERE id = 3")
    result = sync_mysql(mysql_url, "orders", **_incremental(pg_database, deletes="soft"))
    assert result.status == "success", result.error
    assert result.tables[0].deleted == 1 and _ids(pg_database, "_deleted_at IS NOT NULL") == [3]
    column_type = "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'raw.orders'::regclass"
    assert pg_query(pg_database, f"{column_type} AND attname = '_deleted_at'") == [("timestamp with time zone",)]


def test_hard_deletes_on_a_composite_key(mysql_database, mysql_url, pg_database) -> None:
    mysql_exec(
        mysql_database,
        "CREATE TABLE order_lines (region CHAR(2), n INT, qty INT, changed DATETIME NOT NULL, PRIMARY KEY (region, n))",
        "INSERT INTO order_lines SELECT ELT(1 + seq % 3, 'EU', 'US', 'ZA'), seq, seq, '2024-01-01' FROM seq_1_to_30",
    )
    kwargs = dict(target_schema="raw", mode="incremental", cursor_column="changed", pg=pg_database, deletes="hard")
    assert sync_mysql(mysql_url, "order_lines", reader="pymysql", **kwargs).status == "success"
    mysql_exec(mysql_database, "DELETE FROM order_lines WHERE region = 'US' AND n < 10")
    result = sync_mysql(mysql_url, "order_lines", reader="connectorx", **kwargs)
    assert result.status == "success", result.error
    assert result.tables[0].deleted == 3
    assert pg_query(pg_database, "SELECT count(*) FROM raw.order_lines WHERE region = 'US'") == [(7,)]


# --- lag -------------------------------------------------------------------------------------------


def test_a_late_commit_inside_the_lag_is_read_one_outside_is_not(mysql_database, mysql_url, pg_database) -> None:
    upsert_orders(mysql_database, [(i, "new", Decimal(i), T0 + dt.timedelta(hours=i)) for i in range(1, 6)])
    kwargs = _incremental(pg_database, lag="5m")
    first = sync_mysql(mysql_url, "orders", **kwargs)
    assert first.tables[0].watermark == "2024-01-01T17:00:00"

    # two transactions that began before the sync commit after it, with cursors below its watermark
    watermark = T0 + dt.timedelta(hours=5)
    upsert_orders(
        mysql_database,
        [
            (50, "late", None, watermark - dt.timedelta(minutes=4)),
            (60, "too late", None, watermark - dt.timedelta(minutes=6)),
        ],
    )
    second = sync_mysql(mysql_url, "orders", **kwargs)
    assert second.status == "success", second.error
    assert second.tables[0].rows == 2  # the watermark row and the late commit 4 minutes below it
    assert _ids(pg_database, "id >= 50") == [50]  # 6 minutes below: outside the lag, documented as missed
    assert second.tables[0].watermark == "2024-01-01T17:00:00"  # the lag never moves the watermark back


def test_unchanged_rows_are_not_rewritten(mysql_database, mysql_url, pg_database) -> None:
    """Re-reading rows (a lag covering the whole table) writes no new tuple for those that did not change."""
    upsert_orders(mysql_database, [(i, "new", Decimal(i), T0 + dt.timedelta(minutes=i)) for i in range(1, 201)])
    kwargs = _incremental(pg_database, lag="1d")
    assert sync_mysql(mysql_url, "orders", **kwargs).status == "success"
    versions = "SELECT id, xmin::text FROM raw.orders ORDER BY id"
    before = pg_query(pg_database, versions)
    size_before = pg_query(pg_database, "SELECT pg_relation_size('raw.orders')")

    upsert_orders(mysql_database, [(7, "paid", Decimal(7), T0 + dt.timedelta(minutes=7))])  # same cursor value
    again = sync_mysql(mysql_url, "orders", **kwargs)
    assert again.status == "success", again.error
    assert again.tables[0].rows == 200  # every row was read again and merged...
    after = pg_query(pg_database, versions)
    assert [row for row in after if row not in before] == [after[6]] and after[6][0] == 7  # ...only row 7 rewritten
    assert pg_query(pg_database, "SELECT pg_relation_size('raw.orders')") == size_before


# --- refusals: one line naming the field, nothing written -------------------------------------------


@pytest.mark.parametrize(
    ("ddl", "request_", "message"),
    [
        (
            "CREATE TABLE t (a INT, changed DATETIME)",
            dict(mode="incremental", cursor_column="changed", deletes="hard"),
            "deletes: hard needs a primary key, and table {db}.t has none",
        ),
        (
            "CREATE TABLE t (id INT PRIMARY KEY, changed DATETIME)",
            dict(mode="full", deletes="soft"),
            "deletes: soft needs mode incremental (full-refresh and truncate already drop rows deleted at the source)",
        ),
        (
            "CREATE TABLE t (id INT PRIMARY KEY, _deleted_at DATETIME)",
            dict(mode="incremental", cursor_column="id", deletes="soft"),
            "deletes: soft adds a column _deleted_at, which table {db}.t already has",
        ),
        (
            "CREATE TABLE t (id INT PRIMARY KEY, version BIGINT)",
            dict(mode="incremental", cursor_column="version", lag="5m"),
            "lag: cursor column 'version' of table {db}.t is bigint, not a date or time: set lag: 0 or use a "
            "date/time cursor",
        ),
        (
            "CREATE TABLE t (id INT PRIMARY KEY, changed DATETIME)",
            dict(mode="incremental", cursor_column="changed", lag="5 minutes"),
            "lag: invalid duration '5 minutes': use seconds or a duration like 90s, 5m, 1h",
        ),
    ],
    ids=["deletes-without-key", "deletes-in-full-mode", "soft-column-clash", "lag-on-integer", "lag-unparsable"],
)
def test_bad_combinations_are_refused(ddl, request_, message, mysql_database, mysql_url, pg_database) -> None:
    mysql_exec(mysql_database, ddl)
    result = sync_mysql(mysql_url, "t", target_schema="raw", pg=pg_database, **request_)
    assert result.status == "failed" and result.error_kind == "bad_input"
    assert result.error == message.format(db=mysql_database.database)
    assert pg_schemas(pg_database) == set()


def test_an_integer_cursor_gets_no_default_lag(mysql_database, mysql_url, pg_database) -> None:
    """The default lag applies to date/time cursors only: an integer cursor still syncs, from the watermark."""
    mysql_exec(
        mysql_database,
        "CREATE TABLE t (id INT PRIMARY KEY, version BIGINT)",
        "INSERT INTO t SELECT seq, seq FROM seq_1_to_5",
    )
    kwargs = dict(target_schema="raw", mode="incremental", cursor_column="version", pg=pg_database)
    assert sync_mysql(mysql_url, "t", **kwargs).status == "success"
    again = sync_mysql(mysql_url, "t", **kwargs, lag=0)
    assert again.status == "success" and again.tables[0].rows == 1  # only the boundary row
