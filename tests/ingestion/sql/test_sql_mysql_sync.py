"""MariaDB -> Postgres through the shared engine, against the real servers, with both MySQL readers."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest

from data_manager.settings import PostgresSettings
from ingestion.sql.sql_sync_support import mysql_exec, pg_query, pg_schemas, sync_mysql, upsert_orders

READERS = ["pymysql", "connectorx"]

ALL_TYPES_DDL = """
CREATE TABLE all_types (
  id INT PRIMARY KEY, ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT,
  miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED, yr YEAR,
  d DECIMAL(10,3), dbig DECIMAL(65,30), f FLOAT, db DOUBLE, b1 BIT(1), b8 BIT(8),
  dt DATE, dtm DATETIME, dtm6 DATETIME(6), ts TIMESTAMP NULL, tm TIME,
  c CHAR(5), vc VARCHAR(50), tt TINYTEXT, tx TEXT, mt MEDIUMTEXT, lt LONGTEXT, j JSON,
  e ENUM('small','large'), st SET('x','y','z'), bn BINARY(4), vb VARBINARY(10), tb TINYBLOB, bl BLOB,
  mb MEDIUMBLOB, lb LONGBLOB, b64 BIT(64)
)"""
ALL_TYPES_ROW_1 = """INSERT INTO all_types VALUES (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648,
  4294967295, -9223372036854775808, 18446744073709551615, 2024, 1234567.891,
  12345678901234567890123456789012345.123456789012345678901234567891, 1.5, 3.141592653589793, b'1', b'10101010',
  '2024-02-29', '2024-02-29 23:59:59', '2024-02-29 23:59:59.123456', '2024-03-01 12:00:00', '-838:59:59',
  'ab', 'héllo "q" \\\\ tab\\there', 'tiny', 'line1\\nline2\\r\\n', 'medium ✓', REPEAT('x', 70000),
  '{"a": [1, 2, {"b": null}]}', 'large', 'x,z', 0x00FF1020, 0x5C6E, 0x00, 0x0102, 0xFF, 0x5C00, b'101')"""
ALL_TYPES_ROW_2 = """INSERT INTO all_types (id, vc, tx, b1, st) VALUES (2, '', '', b'0', '')"""
# Extremes, compared as Postgres renders them: FLOAT is exact only if read as DOUBLE (the text protocol
# rounds FLOAT to 6 digits), BIT(64) reaches 2^64 - 1.
EXTREME_COLUMNS = ("f", "db", "b64", "b8", "bi", "d", "dt", "dtm6", "ts", "tm")
EXTREME_INSERTS = """INSERT INTO all_types (id, f, db, b64, b8, bi, d, dt, dtm6, ts, tm) VALUES
  (3, 16777216, 1.7976931348623157e308, 18446744073709551615, 255, 9223372036854775807, -9999999.999,
   '1000-01-01', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07', '838:59:59'),
  (4, 0.33333334, 5e-324, 9223372036854775808, 0, -9223372036854775808, 0.001,
   '9999-12-31', '1000-01-01 00:00:00', '1970-01-01 00:00:01', '-00:00:01'),
  (5, 3.40282e38, -2.2250738585072014e-308, 0, 1, 0, 0, '2024-02-29', '2024-02-29 00:00:00.000001',
   '2024-02-29 23:59:59', '00:00:00'),
  (6, -1.1754944e-38, 0.1, 1, 128, -1, -0.001, '1970-01-01', '1970-01-01 00:00:00', NULL, NULL)"""
EXTREME_ROWS = {
    3: ("1.6777216e+07", "1.7976931348623157e+308", "18446744073709551615", "255", "9223372036854775807",
        "-9999999.999", "1000-01-01", "9999-12-31 23:59:59.999999", "2038-01-19 03:14:07+00", "838:59:59"),
    4: ("0.33333334", "5e-324", "9223372036854775808", "0", "-9223372036854775808", "0.001", "9999-12-31",
        "1000-01-01 00:00:00", "1970-01-01 00:00:01+00", "-00:00:01"),
    5: ("3.40282e+38", "-2.2250738585072014e-308", "0", "1", "0", "0.000", "2024-02-29",
        "2024-02-29 00:00:00.000001", "2024-02-29 23:59:59+00", "00:00:00"),
    6: ("-1.1754944e-38", "0.1", "1", "128", "-1", "-0.001", "1970-01-01", "1970-01-01 00:00:00", None, None),
}  # fmt: skip

EXPECTED_TYPES = {
    "id": "integer", "ti": "smallint", "tiu": "smallint", "si": "smallint", "siu": "integer", "mi": "integer",
    "miu": "integer", "i": "integer", "iu": "bigint", "bi": "bigint", "biu": "numeric(20,0)", "yr": "smallint",
    "d": "numeric(10,3)", "dbig": "numeric(65,30)", "f": "real", "db": "double precision", "b1": "boolean",
    "b8": "bigint", "dt": "date", "dtm": "timestamp without time zone", "dtm6": "timestamp without time zone",
    "ts": "timestamp with time zone", "tm": "interval", "c": "character varying(5)",
    "vc": "character varying(50)", "tt": "text", "tx": "text", "mt": "text", "lt": "text", "j": "jsonb",
    "e": "text", "st": "text", "bn": "bytea", "vb": "bytea", "tb": "bytea", "bl": "bytea", "mb": "bytea",
    "lb": "bytea", "b64": "numeric(20,0)",
}  # fmt: skip

EXPECTED_ROW_1: dict[str, Any] = {
    "id": 1, "ti": -128, "tiu": 255, "si": -32768, "siu": 65535, "mi": -8388608, "miu": 16777215,
    "i": -2147483648, "iu": 4294967295, "bi": -9223372036854775808, "biu": Decimal("18446744073709551615"),
    "yr": 2024, "d": Decimal("1234567.891"),
    "dbig": Decimal("12345678901234567890123456789012345.123456789012345678901234567891"),
    "f": 1.5, "db": 3.141592653589793, "b1": True, "b8": 170,
    "dt": dt.date(2024, 2, 29), "dtm": dt.datetime(2024, 2, 29, 23, 59, 59),
    "dtm6": dt.datetime(2024, 2, 29, 23, 59, 59, 123456),
    "ts": dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC), "tm": -dt.timedelta(hours=838, minutes=59, seconds=59),
    "c": "ab", "vc": 'héllo "q" \\ tab\there', "tt": "tiny", "tx": "line1\nline2\r\n", "mt": "medium ✓",
    "lt": "x" * 70000, "j": {"a": [1, 2, {"b": None}]}, "e": "large", "st": "x,z",
    "bn": b"\x00\xff\x10\x20", "vb": b"\\n", "tb": b"\x00", "bl": b"\x01\x02", "mb": b"\xff", "lb": b"\\\x00",
    "b64": Decimal(5),
}  # fmt: skip


def _rows_as_dicts(pg: PostgresSettings, table: str) -> list[dict[str, Any]]:
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(**pg.connect_kwargs(), row_factory=dict_row) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def _check_all_types(pg: PostgresSettings, schema: str) -> None:
    types = dict(
        pg_query(
            pg,
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            f"WHERE attrelid = '{schema}.all_types'::regclass AND attnum > 0 ORDER BY attnum",
        )
    )
    assert types == EXPECTED_TYPES
    first, second, *_ = _rows_as_dicts(pg, f"{schema}.all_types")
    for column, expected in EXPECTED_ROW_1.items():
        assert first[column] == expected, column
    assert {k: v for k, v in second.items() if v is not None} == {"id": 2, "vc": "", "tx": "", "b1": False, "st": ""}
    assert pg_query(pg, f"SELECT count(*) FROM {schema}.all_types WHERE j->'a'->>1 = '2'") == [(1,)]
    as_text = ", ".join(f"{c}::text" for c in EXTREME_COLUMNS)
    extremes = pg_query(pg, f"SELECT id, {as_text} FROM {schema}.all_types WHERE id >= 3 ORDER BY id")
    assert {row[0]: row[1:] for row in extremes} == EXTREME_ROWS


def _table_as_text(pg: PostgresSettings, schema: str) -> list[tuple]:
    return pg_query(pg, f"SELECT t::text FROM {schema}.all_types t ORDER BY id")


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_both_readers_copy_every_type_and_extreme_exactly(mode: str, mysql_database, mysql_url, pg_database) -> None:
    """The same extreme-values table through both readers, full and incremental (watermark query and
    merge): every value arrives exactly, and both readers write identical rows."""
    mysql_exec(mysql_database, ALL_TYPES_DDL)
    kwargs: dict[str, Any] = dict(pg=pg_database, mode=mode)
    if mode == "incremental":
        kwargs["cursor_column"] = "id"
        mysql_exec(mysql_database, "INSERT INTO all_types (id) VALUES (0)")
        for reader in READERS:  # the first run stores watermark 0; the second reads id >= 0 and merges
            first = sync_mysql(mysql_url, "all_types", target_schema=f"raw_{reader}", reader=reader, **kwargs)
            assert first.status == "success", first.error
    mysql_exec(mysql_database, ALL_TYPES_ROW_1, ALL_TYPES_ROW_2, EXTREME_INSERTS)
    for reader in READERS:
        result = sync_mysql(mysql_url, "all_types", target_schema=f"raw_{reader}", reader=reader, **kwargs)
        assert result.status == "success", result.error
        assert result.tables[0].reader == reader
        assert result.tables[0].rows == (7 if mode == "incremental" else 6)
        if mode == "incremental":
            mysql_exec(mysql_database, "DELETE FROM all_types WHERE id = 0") if reader == READERS[-1] else None
            pg_query(pg_database, f"DELETE FROM raw_{reader}.all_types WHERE id = 0")
        _check_all_types(pg_database, f"raw_{reader}")
    assert _table_as_text(pg_database, "raw_pymysql") == _table_as_text(pg_database, "raw_connectorx")


@pytest.mark.parametrize("reader", READERS)
def test_full_refresh_replaces_the_table(reader: str, mysql_database, mysql_url, pg_database) -> None:
    t0 = dt.datetime(2024, 1, 1)
    upsert_orders(mysql_database, [(i, "new", Decimal(i), t0) for i in range(1, 6)])
    kwargs = dict(target_schema="raw", table_prefix="shop_", pg=pg_database, reader=reader, chunk_rows=2)
    assert sync_mysql(mysql_url, "orders", **kwargs).status == "success"
    mysql_exec(
        mysql_database, "DELETE FROM orders WHERE id IN (1, 2)", "UPDATE orders SET status = 'paid' WHERE id = 3"
    )
    result = sync_mysql(mysql_url, "orders", **kwargs)
    assert result.status == "success" and result.rows_per_table == {"raw.shop_orders": 3}
    assert pg_query(pg_database, "SELECT id, status FROM raw.shop_orders ORDER BY id") == [
        (3, "paid"), (4, "new"), (5, "new"),
    ]  # fmt: skip
    # the primary key came along, and no staging table was left behind
    assert pg_query(pg_database, "SELECT conname FROM pg_constraint WHERE conrelid = 'raw.shop_orders'::regclass") == [
        ("shop_orders_pkey",)
    ]
    assert pg_query(pg_database, "SELECT relname FROM pg_class WHERE relname LIKE '\\_dm\\_stage%'") == []


@pytest.mark.parametrize("reader", READERS)
def test_incremental_merges_on_the_key_and_keeps_a_watermark(reader, mysql_database, mysql_url, pg_database) -> None:
    t0 = dt.datetime(2024, 1, 1, 10, 0, 0, 500000)
    upsert_orders(mysql_database, [(i, "new", Decimal("1.50"), t0 + dt.timedelta(minutes=i)) for i in range(1, 251)])
    kwargs = dict(
        target_schema="raw", mode="incremental", cursor_column="updated_at", pg=pg_database, reader=reader,
        chunk_rows=64, lag=0,
    )  # fmt: skip
    first = sync_mysql(mysql_url, "orders", **kwargs)
    assert first.status == "success", first.error
    assert first.tables[0].rows == 250 and first.tables[0].watermark == "2024-01-01T14:10:00.500000"

    # one row changes, one arrives; older rows are not read again (lag 0: only rows at or after the watermark)
    upsert_orders(
        mysql_database,
        [(7, "paid", Decimal("9.99"), t0 + dt.timedelta(days=1)), (999, "new", None, t0 + dt.timedelta(days=2))],
    )
    second = sync_mysql(mysql_url, "orders", **kwargs)
    assert second.status == "success", second.error
    assert second.tables[0].rows == 3  # the boundary row (>= watermark) plus the two changes
    assert second.tables[0].total_rows == 251
    assert second.tables[0].watermark == "2024-01-03T10:00:00.500000"
    assert pg_query(pg_database, "SELECT status, amount FROM raw.orders WHERE id IN (7, 999) ORDER BY id") == [
        ("paid", Decimal("9.99")), ("new", None),
    ]  # fmt: skip
    state = pg_query(
        pg_database, "SELECT cursor_column, watermark, watermark_type, rows_synced FROM raw._dm_sync_state"
    )
    assert state == [("updated_at", "2024-01-03T10:00:00.500000", "timestamp", 3)]

    third = sync_mysql(mysql_url, "orders", **kwargs)  # nothing new: only the boundary row
    assert third.tables[0].rows == 1 and third.tables[0].total_rows == 251


@pytest.mark.parametrize("reader", READERS)
def test_incremental_over_many_chunks_keeps_the_highest_cursor(reader, mysql_database, mysql_url, pg_database) -> None:
    """Over many COPY chunks every changed row is merged, and the watermark is the highest cursor of any chunk
    (rows are read in key order, so the newest one need not be in the last chunk)."""
    t0 = dt.datetime(2024, 1, 1)
    upsert_orders(mysql_database, [(i, "new", Decimal(i), t0 + dt.timedelta(seconds=i)) for i in range(1, 201)])
    kwargs = dict(
        target_schema="raw", mode="incremental", cursor_column="updated_at", pg=pg_database, reader=reader, lag=0
    )
    assert sync_mysql(mysql_url, "orders", **kwargs).status == "success"

    # every third row changes; row 99 (a middle chunk, as rows are read in key order) gets the newest cursor
    changed = [(i, "paid", Decimal(i * 2), t0 + dt.timedelta(days=1, seconds=i)) for i in range(3, 201, 3)]
    upsert_orders(mysql_database, [*changed, (99, "paid", Decimal(198), t0 + dt.timedelta(days=9))])
    second = sync_mysql(mysql_url, "orders", **kwargs, chunk_rows=8)
    assert second.status == "success", second.error
    assert second.tables[0].rows == len(changed) + 1  # and the boundary row, id 200 (>= the watermark)
    assert second.tables[0].total_rows == 200
    assert second.tables[0].watermark == "2024-01-10T00:00:00"
    assert pg_query(pg_database, "SELECT count(*), sum(amount) FROM raw.orders WHERE status = 'paid'") == [
        (len(changed), sum(amount for _, _, amount, _ in changed))
    ]
    assert pg_query(pg_database, "SELECT count(*) FROM raw.orders WHERE status = 'new'") == [(200 - len(changed),)]


def test_keyset_pages_cover_composite_keys(mysql_database, mysql_url, pg_database, monkeypatch) -> None:
    import data_manager.ingestion.sql.mysql as mysql_module

    monkeypatch.setattr(mysql_module, "PAGE_ROWS", 7)  # many small pages over a two-column key
    mysql_exec(
        mysql_database,
        "CREATE TABLE order_lines (region CHAR(2), n INT, qty INT, PRIMARY KEY (region, n))",
        many=(
            "INSERT INTO order_lines VALUES (%s, %s, %s)",
            [(r, n, n * 2) for r in ("EU", "US", "ZA") for n in range(20)],
        ),
    )
    result = sync_mysql(mysql_url, "order_lines", target_schema="raw", pg=pg_database, reader="pymysql", chunk_rows=3)
    assert result.status == "success", result.error
    assert pg_query(pg_database, "SELECT count(*), count(DISTINCT (region, n)), sum(qty) FROM raw.order_lines") == [
        (60, 60, 3 * sum(n * 2 for n in range(20)))
    ]


def test_full_refresh_keeps_dependent_views_working(mysql_database, mysql_url, pg_database) -> None:
    upsert_orders(mysql_database, [(1, "new", Decimal(1), dt.datetime(2024, 1, 1))])
    assert sync_mysql(mysql_url, "orders", target_schema="raw", pg=pg_database).status == "success"
    pg_query(pg_database, "CREATE VIEW public.v_orders AS SELECT id, status FROM raw.orders")
    upsert_orders(mysql_database, [(2, "paid", Decimal(2), dt.datetime(2024, 1, 2))])
    result = sync_mysql(mysql_url, "orders", target_schema="raw", pg=pg_database)
    assert result.status == "success", result.error
    assert pg_query(pg_database, "SELECT id, status FROM public.v_orders ORDER BY id") == [(1, "new"), (2, "paid")]


# --- bad input: a clear error and nothing written ---------------------------------------------------


def _assert_nothing_written(pg: PostgresSettings) -> None:
    assert pg_schemas(pg) == set(), "bad input must not create schemas or tables"


def test_missing_table_fails_before_writing(mysql_database, mysql_url, pg_database) -> None:
    upsert_orders(mysql_database, [(1, "new", None, dt.datetime(2024, 1, 1))])
    result = sync_mysql(mysql_url, "orders,nope", target_schema="raw", pg=pg_database)
    assert result.status == "failed" and result.error_kind == "bad_input"
    assert result.error == f"table {mysql_database.database}.nope not found in {mysql_url}"
    _assert_nothing_written(pg_database)


def test_unsupported_type_names_column_and_type(mysql_database, mysql_url, pg_database) -> None:
    mysql_exec(mysql_database, "CREATE TABLE places (id INT PRIMARY KEY, spot POINT, name TEXT)")
    result = sync_mysql(mysql_url, "places", target_schema="raw", pg=pg_database)
    assert result.status == "failed" and result.error_kind == "bad_input"
    assert "column 'spot' has unsupported MySQL type 'point'" in (result.error or "")
    _assert_nothing_written(pg_database)


def test_unreachable_source_is_a_clear_error(pg_database) -> None:
    result = sync_mysql("mysql://app:Sup3rSecret@127.0.0.1:1/shop", "orders", target_schema="raw", pg=pg_database)
    assert result.status == "failed" and result.error_kind == "bad_input"
    assert (result.error or "").startswith("cannot connect to MySQL at mysql://app:***@127.0.0.1:1/shop:")
    assert "Sup3rSecret" not in result.model_dump_json()
    _assert_nothing_written(pg_database)


@pytest.mark.parametrize("tables", ["orders;drop table x", "a.b.c", "`x`"])
def test_bad_table_name_is_rejected(tables: str, mysql_url, pg_database) -> None:
    result = sync_mysql(mysql_url, tables, target_schema="raw", pg=pg_database)
    assert result.status == "failed" and "invalid table name" in (result.error or "")
    _assert_nothing_written(pg_database)


def test_merge_modes_need_a_key(mysql_database, mysql_url, pg_database) -> None:
    mysql_exec(mysql_database, "CREATE TABLE nokey (a INT, changed DATETIME)")
    no_cursor = sync_mysql(mysql_url, "nokey", target_schema="raw", mode="incremental", pg=pg_database)
    assert "mode: incremental merges on the primary key" in (no_cursor.error or "")
    no_key = sync_mysql(
        mysql_url, "nokey", target_schema="raw", mode="incremental", cursor_column="changed", pg=pg_database
    )
    assert "merges on the primary key, and table" in (no_key.error or "")
    bad_cursor = sync_mysql(mysql_url, "nokey", target_schema="raw", mode="full", cursor_column="nope", pg=pg_database)
    assert "has no column 'nope'" in (bad_cursor.error or "")
    _assert_nothing_written(pg_database)


def test_result_is_json_serializable(mysql_database, mysql_url, pg_database) -> None:
    upsert_orders(mysql_database, [(1, "new", None, dt.datetime(2024, 1, 1))])
    result = sync_mysql(mysql_url, ["orders"], target_schema=f"s_{uuid.uuid4().hex[:6]}", pg=pg_database)
    payload = json.loads(result.model_dump_json())
    assert payload["status"] == "success" and [t["target_table"] for t in payload["tables"]] == [
        f"{result.target_schema}.orders"
    ]
    assert payload["duration_s"] > 0


def test_empty_table_and_several_tables_in_one_run(mysql_database, mysql_url, pg_database) -> None:
    mysql_exec(mysql_database, "CREATE TABLE empty_one (id INT PRIMARY KEY, v TEXT)")
    upsert_orders(mysql_database, [(1, "new", None, dt.datetime(2024, 1, 1))])
    result = sync_mysql(mysql_url, "empty_one,orders", target_schema="raw", pg=pg_database)
    assert result.status == "success", result.error
    assert result.rows_per_table == {"raw.empty_one": 0, "raw.orders": 1}
    assert pg_query(pg_database, "SELECT count(*) FROM raw.empty_one") == [(0,)]
