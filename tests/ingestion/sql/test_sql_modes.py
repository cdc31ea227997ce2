"""The Sling-named modes against real MariaDB and Postgres: full-refresh (and its old spelling `full`),
incremental without a cursor, truncate, snapshot and backfill, and the combinations they refuse."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from data_manager.settings import PostgresSettings
from ingestion.sql.sql_sync_support import mysql_exec, pg_query, pg_schemas, sync_mysql, upsert_orders

DAY = dt.timedelta(days=1)
JAN = dt.datetime(2024, 1, 1)
ORDERS = [(i, "new", None, JAN + (i - 1) * DAY) for i in range(1, 7)]  # ids 1-6, updated_at Jan 1-6


def _orders(pg: PostgresSettings, table: str = "raw.orders") -> list[tuple]:
    return pg_query(pg, f"SELECT id, status FROM {table} ORDER BY id")


def _watermark(pg: PostgresSettings) -> str | None:
    rows = pg_query(pg, "SELECT watermark FROM raw._dm_sync_state WHERE table_name = 'orders'")
    return rows[0][0] if rows else None


def test_full_is_the_old_spelling_of_full_refresh(mysql_database, mysql_url, pg_database) -> None:
    upsert_orders(mysql_database, ORDERS[:2])
    result = sync_mysql(mysql_url, "orders", target_schema="raw", mode="full", pg=pg_database)
    assert result.status == "success", result.error
    assert result.mode == "full-refresh" and result.tables[0].mode == "full-refresh"
    assert _orders(pg_database) == [(1, "new"), (2, "new")]


def test_incremental_without_a_cursor_adds_rows_with_new_keys_only(mysql_database, mysql_url, pg_database) -> None:
    upsert_orders(mysql_database, ORDERS[:3])
    kwargs = dict(target_schema="raw", mode="incremental", pg=pg_database)
    assert sync_mysql(mysql_url, "orders", **kwargs).status == "success"
    upsert_orders(mysql_database, [(2, "changed", None, JAN), (7, "new", None, JAN)])
    mysql_exec(mysql_database, "DELETE FROM orders WHERE id = 3")
    again = sync_mysql(mysql_url, "orders", **kwargs)
    assert again.status == "success" and again.tables[0].total_rows == 4
    assert _orders(pg_database) == [(1, "new"), (2, "new"), (3, "new"), (7, "new")]  # appended, nothing rewritten
    assert (again.tables[0].rows, again.tables[0].merged) == (3, 1)  # 3 read, only the new key written: counted


def test_truncate_reloads_the_same_table_keeping_grants_and_views(mysql_database, mysql_url, pg_database) -> None:
    upsert_orders(mysql_database, ORDERS[:3])
    first = sync_mysql(mysql_url, "orders", target_schema="raw", mode="truncate", pg=pg_database)
    assert first.status == "success" and first.tables[0].mode == "truncate"
    pg_query(pg_database, "GRANT SELECT ON raw.orders TO PUBLIC")
    pg_query(pg_database, "CREATE VIEW raw.open_orders AS SELECT id FROM raw.orders WHERE status = 'new'")
    before = pg_query(pg_database, "SELECT oid, relacl::text FROM pg_class WHERE oid = 'raw.orders'::regclass")

    upsert_orders(mysql_database, [(2, "paid", None, JAN), (4, "new", None, JAN)])
    mysql_exec(mysql_database, "DELETE FROM orders WHERE id = 1")
    again = sync_mysql(mysql_url, "orders", target_schema="raw", mode="truncate", pg=pg_database)
    assert again.status == "success" and again.tables[0].rows == 3 and again.tables[0].total_rows == 3
    assert _orders(pg_database) == [(2, "paid"), (3, "new"), (4, "new")]
    assert pg_query(pg_database, "SELECT oid, relacl::text FROM pg_class WHERE oid = 'raw.orders'::regclass") == before
    assert pg_query(pg_database, "SELECT id FROM raw.open_orders ORDER BY id") == [(3,), (4,)]
    primary_key = "SELECT count(*) FROM pg_constraint WHERE conrelid = 'raw.orders'::regclass AND contype = 'p'"
    assert pg_query(pg_database, primary_key) == [(1,)]


def test_snapshot_appends_every_row_with_one_load_time_per_run(mysql_database, mysql_url, pg_database) -> None:
    upsert_orders(mysql_database, ORDERS[:2])
    mysql_exec(mysql_database, "CREATE TABLE tags (name VARCHAR(10))", "INSERT INTO tags VALUES ('a'), ('b')")
    kwargs = dict(target_schema="raw", mode="snapshot", pg=pg_database)
    first = sync_mysql(mysql_url, "orders,tags", **kwargs)  # no key needed: tags has none
    assert first.status == "success", first.error
    upsert_orders(mysql_database, [(2, "paid", None, JAN)])
    again = sync_mysql(mysql_url, "orders", **kwargs)
    assert again.status == "success" and again.tables[0].rows == 2 and again.tables[0].total_rows == 4

    runs = pg_query(
        pg_database,
        "SELECT _loaded_at, array_agg(id || ':' || status ORDER BY id) FROM raw.orders GROUP BY 1 ORDER BY 1",
    )
    assert [row[1] for row in runs] == [["1:new", "2:new"], ["1:new", "2:paid"]]
    assert all(isinstance(row[0], dt.datetime) and row[0].tzinfo for row in runs)
    tags_loaded = pg_query(pg_database, "SELECT DISTINCT _loaded_at FROM raw.tags")
    assert tags_loaded == [(runs[0][0],)]  # one value for every table of a run
    assert pg_query(pg_database, "SELECT count(*) FROM raw.tags") == [(2,)]


def test_backfill_rereads_late_changes_inside_its_range_only(mysql_database, mysql_url, pg_database) -> None:
    upsert_orders(mysql_database, ORDERS)
    kwargs = dict(target_schema="raw", cursor_column="updated_at", pg=pg_database)
    assert sync_mysql(mysql_url, "orders", mode="incremental", lag=0, **kwargs).status == "success"
    watermark = _watermark(pg_database)
    assert watermark == "2024-01-06T00:00:00"
    # Late changes: their updated_at is below the watermark, so incremental runs never read them again.
    upsert_orders(mysql_database, [(2, "late", None, JAN + DAY), (3, "late", None, JAN + 2 * DAY)])
    upsert_orders(mysql_database, [(5, "late", None, JAN + 4 * DAY)])
    result = sync_mysql(mysql_url, "orders", mode="backfill", range=("2024-01-02", "2024-01-03"), **kwargs)
    assert result.status == "success", result.error
    assert result.tables[0].mode == "backfill" and result.tables[0].rows == 2
    assert _orders(pg_database) == [(1, "new"), (2, "late"), (3, "late"), (4, "new"), (5, "new"), (6, "new")]
    assert _watermark(pg_database) == watermark  # the incremental position stays where it was
    by_id = sync_mysql(mysql_url, "orders", mode="backfill", **{**kwargs, "cursor_column": "id"}, range="5,5")
    assert by_id.status == "success" and by_id.tables[0].rows == 1
    assert _orders(pg_database)[4] == (5, "late")


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (dict(mode="sometimes"), "mode: invalid value 'sometimes': use full-refresh, incremental, truncate, "
         "snapshot or backfill"),
        (dict(mode="truncate", range=("1", "2")), "range: needs mode backfill (mode truncate reads the whole table "
         "or from the watermark)"),
        (dict(mode="backfill", range="1,2"), "mode: backfill needs cursor_column, the column its range is read on"),
        (dict(mode="backfill", cursor_column="id"), "mode: backfill needs a range: {{start, end}} of the cursor "
         "column to re-read"),
        (dict(mode="backfill", cursor_column="id", range="1"), "range: invalid value '1': give a start and an end, "
         "e.g. 2024-01-01,2024-01-31"),
        (dict(mode="backfill", cursor_column="updated_at", range="soon,later"), "range: start 'soon' is not a "
         "timestamp, the type of cursor column 'updated_at' of table {db}.orders"),
        (dict(mode="backfill", cursor_column="id", range="9,1"), "range: start '9' is after end '1'"),
        (dict(mode="backfill", cursor_column="id", range="1,2"), "mode: backfill merges into raw.orders, which "
         "does not exist yet: run full-refresh or incremental first"),
        (dict(mode="full-refresh", lag="5m"), "lag: needs mode incremental (it moves the watermark back; "
         "full-refresh has none)"),
        (dict(mode="snapshot", cursor_column="updated_at"), "cursor_column: mode snapshot appends every row each "
         "run and has no use for a cursor"),
        (dict(mode="truncate", deletes="hard"), "deletes: hard needs mode incremental (full-refresh and truncate "
         "already drop rows deleted at the source)"),
        (dict(mode="incremental", cursor_column="updated_at", parallel=2), "parallel: needs mode full-refresh or "
         "backfill (mode incremental reads in one stream)"),
        (dict(parallel=0), "parallel: invalid value 0: use a whole number from 1 to 16"),
    ],
    ids=["bad-mode", "range-without-backfill", "backfill-without-cursor", "backfill-without-range", "range-one-value",
         "range-not-a-time", "range-reversed", "backfill-without-target", "lag-without-incremental",
         "snapshot-with-cursor", "deletes-with-truncate", "parallel-incremental", "parallel-zero"],
)  # fmt: skip
def test_bad_combinations_are_one_line_and_write_nothing(
    request_, message, mysql_database, mysql_url, pg_database
) -> None:
    upsert_orders(mysql_database, ORDERS[:1])
    result = sync_mysql(mysql_url, "orders", target_schema="raw", pg=pg_database, **request_)
    assert result.status == "failed" and result.error_kind == "bad_input"
    assert result.error == message.format(db=mysql_database.database)
    assert pg_schemas(pg_database) == set()


def test_snapshot_refuses_a_table_it_did_not_create(mysql_database, mysql_url, pg_database) -> None:
    """A table loaded by another mode has no _loaded_at: appending to it is refused, and it stays as it was."""
    upsert_orders(mysql_database, ORDERS[:2])
    assert sync_mysql(mysql_url, "orders", target_schema="raw", pg=pg_database).status == "success"
    upsert_orders(mysql_database, [(3, "new", None, JAN)])
    result = sync_mysql(mysql_url, "orders", target_schema="raw", mode="snapshot", pg=pg_database)
    assert result.status == "failed" and result.error_kind == "bad_input"
    assert result.error is not None and result.error.startswith("mode: snapshot appends to raw.orders, which has no")
    assert _orders(pg_database) == [(1, "new"), (2, "new")]
    mysql_exec(mysql_database, "CREATE TABLE t (id INT PRIMARY KEY, _loaded_at DATETIME)")
    clash = sync_mysql(mysql_url, "t", target_schema="raw", mode="snapshot", pg=pg_database)
    assert (
        clash.error == f"mode: snapshot adds a column _loaded_at, which table {mysql_database.database}.t already has"
    )


def _checksum(pg: PostgresSettings, table: str) -> list[tuple]:
    return pg_query(pg, f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY id)) FROM {table} t")


@pytest.mark.parametrize("reader", ["pymysql", "connectorx"])
def test_parallel_range_reads_equal_the_serial_read(
    reader, mysql_database, mysql_url, pg_database, monkeypatch
) -> None:
    """Four key ranges read at once (several pages each) give the serial read's table, byte for byte."""
    monkeypatch.setattr("data_manager.ingestion.sql.mysql.PAGE_ROWS", 150)
    monkeypatch.setattr("data_manager.ingestion.sql.mysql.CONNECTORX_PAGE_ROWS", 150)
    mysql_exec(
        mysql_database,
        "CREATE TABLE wide (id BIGINT PRIMARY KEY, payload VARCHAR(50), updated_at DATETIME(6) NOT NULL)",
        "INSERT INTO wide SELECT CAST(seq AS SIGNED) * 7 - 1000, CONCAT('row ', seq), '2024-01-01' + INTERVAL seq MINUTE"
        " FROM seq_1_to_2000",  # negative keys and gaps
    )
    kwargs: dict[str, Any] = dict(reader=reader, chunk_rows=100, pg=pg_database)
    assert sync_mysql(mysql_url, "wide", target_schema="serial", **kwargs).status == "success"
    result = sync_mysql(mysql_url, "wide", target_schema="par", parallel=4, **kwargs)
    assert result.status == "success" and result.tables[0].rows == 2000
    assert _checksum(pg_database, "par.wide") == _checksum(pg_database, "serial.wide")

    mysql_exec(mysql_database, "UPDATE wide SET payload = 'late' WHERE id % 5 = 0")  # updated_at unchanged
    backfill = dict(mode="backfill", cursor_column="updated_at", range=("2024-01-01 05:00", "2024-01-02"))
    for schema, parallel in (("serial", 1), ("par", 3)):
        done = sync_mysql(mysql_url, "wide", target_schema=schema, parallel=parallel, **backfill, **kwargs)
        assert done.status == "success" and done.tables[0].rows == 1440 - 300 + 1, done.error
    assert _checksum(pg_database, "par.wide") == _checksum(pg_database, "serial.wide")
    late = pg_query(pg_database, "SELECT min(updated_at), max(updated_at) FROM par.wide WHERE payload = 'late'")
    assert late == [(dt.datetime(2024, 1, 1, 5), dt.datetime(2024, 1, 2))]


def test_key_ranges_cover_the_key_once() -> None:
    from data_manager.ingestion.sql.engine import _key_ranges
    from data_manager.ingestion.sql.source import ReadRequest

    class Bounds:
        def key_bounds(self, plan: Any) -> tuple[Any, Any]:
            return 1, 10

    ranges = _key_ranges(Bounds(), ReadRequest(table=None), 3)  # type: ignore[arg-type]
    assert [(r.key_after, r.key_until) for r in ranges] == [(None, 3), ((3,), 6), ((6,), None)]
    assert len(_key_ranges(Bounds(), ReadRequest(table=None), 50)) == 10  # type: ignore[arg-type]


def test_parallel_needs_a_one_column_integer_key(mysql_database, mysql_url, pg_database) -> None:
    mysql_exec(mysql_database, "CREATE TABLE t (code VARCHAR(5) PRIMARY KEY)")
    result = sync_mysql(mysql_url, "t", target_schema="raw", parallel=2, pg=pg_database)
    assert result.error == (
        f"parallel: table {mysql_database.database}.t needs a one-column integer primary key to split into ranges "
        "(set parallel: 1)"
    )
    assert pg_schemas(pg_database) == set()
