"""The declarative type tables, identifier validation, secret masking and MSSQL query generation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from data_manager.errors import UserError
from data_manager.ingestion.masking import mask_secrets
from data_manager.ingestion.naming import target_table_name
from data_manager.ingestion.sql.connections import (
    MySQLConnection,
    odbc_connection_string,
    odbc_password,
)
from data_manager.ingestion.sql.copy_format import FORMATTERS, format_rows
from data_manager.ingestion.sql.engine import decode_watermark, encode_watermark
from data_manager.ingestion.sql.identifiers import (
    TableRef,
    parse_table_list,
    parse_table_name,
)
from data_manager.ingestion.sql.mssql import build_page_query, select_expression
from data_manager.ingestion.sql.source import ColumnPlan, TablePlan
from data_manager.ingestion.sql.type_mapping import (
    MSSQL_TYPES,
    MYSQL_TYPES,
    SourceColumn,
    UnsupportedTypeError,
    map_mssql_column,
    map_mysql_column,
)

# (source column, expected Postgres type): one row per entry of the mapping table, as the issue lists it
MYSQL_CASES = [
    (SourceColumn("a", "tinyint"), "smallint"),
    (SourceColumn("a", "tinyint", unsigned=True), "smallint"),
    (SourceColumn("a", "smallint"), "smallint"),
    (SourceColumn("a", "smallint", unsigned=True), "integer"),
    (SourceColumn("a", "mediumint"), "integer"),
    (SourceColumn("a", "mediumint", unsigned=True), "integer"),
    (SourceColumn("a", "int"), "integer"),
    (SourceColumn("a", "int", unsigned=True), "bigint"),
    (SourceColumn("a", "bigint"), "bigint"),
    (SourceColumn("a", "bigint", unsigned=True), "numeric(20,0)"),
    (SourceColumn("a", "year"), "smallint"),
    (SourceColumn("a", "decimal", precision=12, scale=2), "numeric(12,2)"),
    (SourceColumn("a", "decimal", precision=65, scale=30, unsigned=True), "numeric(65,30)"),
    (SourceColumn("a", "float"), "real"),
    (SourceColumn("a", "float", unsigned=True), "real"),
    (SourceColumn("a", "double"), "double precision"),
    (SourceColumn("a", "double", unsigned=True), "double precision"),
    (SourceColumn("a", "bit", length=1), "boolean"),
    (SourceColumn("a", "bit", length=8), "bigint"),
    (SourceColumn("a", "bit", length=64), "numeric(20,0)"),
    (SourceColumn("a", "date"), "date"),
    (SourceColumn("a", "datetime"), "timestamp"),
    (SourceColumn("a", "timestamp"), "timestamptz"),
    (SourceColumn("a", "time"), "interval"),
    (SourceColumn("a", "char", length=3), "varchar(3)"),
    (SourceColumn("a", "varchar", length=255), "varchar(255)"),
    (SourceColumn("a", "tinytext"), "text"),
    (SourceColumn("a", "text"), "text"),
    (SourceColumn("a", "mediumtext"), "text"),
    (SourceColumn("a", "longtext"), "text"),
    (SourceColumn("a", "json"), "jsonb"),
    (SourceColumn("a", "longtext", is_json=True), "jsonb"),  # MariaDB's JSON
    (SourceColumn("a", "enum"), "text"),
    (SourceColumn("a", "set"), "text"),
    (SourceColumn("a", "binary", length=4), "bytea"),
    (SourceColumn("a", "varbinary", length=10), "bytea"),
    (SourceColumn("a", "tinyblob"), "bytea"),
    (SourceColumn("a", "blob"), "bytea"),
    (SourceColumn("a", "mediumblob"), "bytea"),
    (SourceColumn("a", "longblob"), "bytea"),
]

MSSQL_CASES = [
    (SourceColumn("a", "bit"), "boolean"),
    (SourceColumn("a", "tinyint"), "smallint"),
    (SourceColumn("a", "smallint"), "smallint"),
    (SourceColumn("a", "int"), "integer"),
    (SourceColumn("a", "bigint"), "bigint"),
    (SourceColumn("a", "decimal", precision=18, scale=4), "numeric(18,4)"),
    (SourceColumn("a", "numeric", precision=10, scale=0), "numeric(10,0)"),
    (SourceColumn("a", "money"), "numeric(19,4)"),
    (SourceColumn("a", "smallmoney"), "numeric(10,4)"),
    (SourceColumn("a", "float"), "double precision"),
    (SourceColumn("a", "real"), "real"),
    (SourceColumn("a", "date"), "date"),
    (SourceColumn("a", "datetime"), "timestamp"),
    (SourceColumn("a", "datetime2"), "timestamp"),
    (SourceColumn("a", "smalldatetime"), "timestamp"),
    (SourceColumn("a", "datetimeoffset"), "timestamptz"),
    (SourceColumn("a", "time"), "time"),
    (SourceColumn("a", "char", length=10), "varchar(10)"),
    (SourceColumn("a", "nchar", length=10), "varchar(10)"),
    (SourceColumn("a", "varchar", length=50), "varchar(50)"),
    (SourceColumn("a", "nvarchar", length=50), "varchar(50)"),
    (SourceColumn("a", "varchar", length=-1), "text"),
    (SourceColumn("a", "nvarchar", length=-1), "text"),
    (SourceColumn("a", "text"), "text"),
    (SourceColumn("a", "ntext"), "text"),
    (SourceColumn("a", "xml", length=-1), "text"),
    (SourceColumn("a", "uniqueidentifier"), "uuid"),
    (SourceColumn("a", "binary", length=8), "bytea"),
    (SourceColumn("a", "varbinary", length=16), "bytea"),
    (SourceColumn("a", "varbinary", length=-1), "bytea"),
    (SourceColumn("a", "image"), "bytea"),
    (SourceColumn("a", "rowversion"), "bytea"),
    (SourceColumn("a", "timestamp"), "bytea"),  # INFORMATION_SCHEMA's name for ROWVERSION
]


@pytest.mark.parametrize(("column", "expected"), MYSQL_CASES, ids=lambda v: getattr(v, "data_type", v))
def test_mysql_type_table(column: SourceColumn, expected: str) -> None:
    assert map_mysql_column(column, "t") == expected


@pytest.mark.parametrize(("column", "expected"), MSSQL_CASES, ids=lambda v: getattr(v, "data_type", v))
def test_mssql_type_table(column: SourceColumn, expected: str) -> None:
    assert map_mssql_column(column, "t") == expected


def test_every_table_entry_is_covered_by_a_case() -> None:
    """A new entry in a mapping table must come with an expectation above."""
    from data_manager.ingestion.sql.type_mapping import mssql_type_key, mysql_type_key

    assert {mysql_type_key(c) for c, _ in MYSQL_CASES} == set(MYSQL_TYPES)
    assert {mssql_type_key(c) for c, _ in MSSQL_CASES} == set(MSSQL_TYPES)


@pytest.mark.parametrize(
    ("mapper", "column", "type_name"),
    [
        (map_mysql_column, SourceColumn("shape", "geometry"), "geometry"),
        (map_mysql_column, SourceColumn("loc", "point"), "point"),
        (map_mssql_column, SourceColumn("v", "sql_variant"), "sql_variant"),
        (map_mssql_column, SourceColumn("h", "hierarchyid"), "hierarchyid"),
        (map_mssql_column, SourceColumn("g", "geography"), "geography"),
    ],
)
def test_unsupported_types_name_the_column_and_type(mapper, column: SourceColumn, type_name: str) -> None:
    with pytest.raises(UnsupportedTypeError) as info:
        mapper(column, "shop.places")
    message = str(info.value)
    assert f"'{column.name}'" in message and f"'{type_name}'" in message and "shop.places" in message


@pytest.mark.parametrize("bad", ["", "a b", "orders;drop", "a.b.c", "x`y", 'x"y', "a-b", "t" * 65, "db."])
def test_bad_table_names_are_rejected(bad: str) -> None:
    with pytest.raises(UserError, match="invalid table name"):
        parse_table_name(bad)


def test_table_lists() -> None:
    assert parse_table_list("orders, sales.items") == [TableRef("orders"), TableRef("items", "sales")]
    with pytest.raises(UserError, match="listed twice"):
        parse_table_list("a,A")
    with pytest.raises(UserError, match="no tables"):
        parse_table_list(" , ")
    assert target_table_name("Shop_", TableRef("Orders")) == "shop_orders"
    with pytest.raises(UserError, match="longer than"):
        target_table_name("p" * 40, TableRef("t" * 30))


def test_passwords_are_masked() -> None:
    assert mask_secrets("mysql://root:s3cr%40t@db:3306/x failed") == "mysql://root:***@db:3306/x failed"
    assert mask_secrets("DRIVER={x};UID=sa;PWD={a;b}};c};SERVER=h") == "DRIVER={x};UID=sa;PWD=***;SERVER=h"
    assert mask_secrets("Password=hunter2;Server=h") == "Password=***;Server=h"
    assert mask_secrets("login failed for hunter2", ("hunter2",)) == "login failed for ***"
    conn = MySQLConnection.from_url("mysql://app:p%40ss@db.example:3307/shop")
    assert (conn.user, conn.password, conn.host, conn.port, conn.database) == (
        "app",
        "p@ss",
        "db.example",
        3307,
        "shop",
    )
    assert conn.safe_description() == "mysql://app:***@db.example:3307/shop"
    with pytest.raises(UserError, match="needs a host and a database") as info:
        MySQLConnection.from_url("mysql://app:topsecret@db.example")
    assert "topsecret" not in str(info.value)


def test_mssql_urls_become_odbc_strings() -> None:
    odbc = odbc_connection_string(
        "mssql://sa:pa%3Bss@sql.local:1433/sales?driver=ODBC+Driver+18+for+SQL+Server&Encrypt=no"
    )
    assert odbc == (
        "DRIVER={ODBC Driver 18 for SQL Server};SERVER=sql.local,1433;DATABASE=sales;UID=sa;PWD={pa;ss};Encrypt=no"
    )
    assert odbc_password(odbc) == "pa;ss"
    assert odbc_connection_string("DRIVER={x};SERVER=y") == "DRIVER={x};SERVER=y"
    with pytest.raises(UserError):
        odbc_connection_string("just-a-host")


def _plan(primary_key: list[str], cursor: str | None = None) -> TablePlan:
    columns = [
        ColumnPlan(SourceColumn("Id", "int"), "id", "integer"),
        ColumnPlan(SourceColumn("Region", "nvarchar", length=10), "region", "varchar(10)"),
        ColumnPlan(SourceColumn("ChangedAt", "datetimeoffset"), "changedat", "timestamptz"),
        ColumnPlan(SourceColumn("Name", "nvarchar", length=-1), "name", "text"),
    ]
    by_name = {c.source.name: c for c in columns}
    return TablePlan(TableRef("Orders", "sales"), columns, primary_key, "orders", by_name.get(cursor or ""))


def test_mssql_first_page_query() -> None:
    query, params = build_page_query(_plan(["Id"]), with_watermark=False, after_key=None, page_rows=1000)
    assert query == (
        'SELECT "Id", "Region", CAST("ChangedAt" AS nvarchar(34)) AS "ChangedAt", "Name" FROM "sales"."Orders"'
        ' ORDER BY "Id" OFFSET 0 ROWS FETCH NEXT 1000 ROWS ONLY'
    )
    assert params == []


def test_mssql_keyset_and_watermark_query() -> None:
    query, params = build_page_query(
        _plan(["Region", "Id"], cursor="ChangedAt"), with_watermark=True, after_key=("EU", 42), page_rows=500
    )
    assert query.endswith(
        ' WHERE "ChangedAt" >= ? AND (("Region" > ?) OR ("Region" = ? AND "Id" > ?))'
        ' ORDER BY "Region", "Id" OFFSET 0 ROWS FETCH NEXT 500 ROWS ONLY'
    )
    assert params == ["EU", "EU", 42]


def test_mssql_query_without_key_streams_whole_table() -> None:
    query, params = build_page_query(_plan([]), with_watermark=False, after_key=None, page_rows=None)
    assert "ORDER BY" not in query and "FETCH" not in query and params == []
    assert select_expression(SourceColumn('we"ird', "int")) == '"we""ird"'


def test_copy_text_formatting() -> None:
    formatters = [FORMATTERS["python"], FORMATTERS["bytea"], FORMATTERS["text"], FORMATTERS["boolean"]]
    rows = [("a\tb\\c\nd\re", b"\x00\xff", "ü", b"\x01"), (None, None, "", False)]
    assert format_rows(rows, formatters) == "a\\tb\\\\c\\nd\\re\t\\\\x00ff\tü\tt\n\\N\t\\N\t\tf\n".encode()
    assert FORMATTERS["python"](dt.datetime(2024, 1, 2, 3, 4, 5, 6)) == "2024-01-02 03:04:05.000006"
    assert FORMATTERS["python"](Decimal("1.50")) == "1.50"


@pytest.mark.parametrize(
    "value",
    [42, Decimal("12.3400"), dt.date(2024, 2, 29), dt.datetime(2024, 1, 1, 12, 0, 1, 5),
     dt.datetime(2024, 1, 1, tzinfo=dt.UTC), "abc", 1.25],
)  # fmt: skip
def test_watermarks_round_trip_with_their_type(value) -> None:
    text, type_ = encode_watermark(value)
    restored = decode_watermark(text, type_)
    assert restored == value and type(restored) is type(value)


def test_mssql_backfill_range_query() -> None:
    query, params = build_page_query(
        _plan(["Id"], cursor="ChangedAt"), with_watermark=True, after_key=(42,), page_rows=500, with_until=True
    )
    assert ' WHERE "ChangedAt" >= ? AND "ChangedAt" <= ? AND (("Id" > ?))' in query and params == [42]
