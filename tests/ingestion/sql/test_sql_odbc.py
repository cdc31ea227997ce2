"""The pyodbc path for real: psqlODBC (Debian's odbc-postgresql) reading a Postgres source database.

The reader, INFORMATION_SCHEMA reflection, keyset page queries (OFFSET/FETCH, `?` parameters) and COPY are
exactly the SQL Server code path; only the type table differs (ANSI names instead of SQL Server's). A real
SQL Server is exercised by the last test when MSSQL_URL is set.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from decimal import Decimal

import pytest

from conftest import create_pg_database, drop_pg_database, unique_name
from data_manager.errors import UserError
from data_manager.ingestion.sql.mssql import OdbcSource
from data_manager.settings import PostgresSettings
from ingestion.sql.sql_sync_support import pg_query, pg_schemas, sync_odbc

ODBC_DRIVER = "PostgreSQL Unicode"


@pytest.fixture
def odbc_source(postgres_server: PostgresSettings):
    """A second Postgres database acting as the ODBC source, and its connection string."""
    try:
        import pyodbc
    except ImportError as exc:
        pytest.fail(f"pyodbc cannot load unixODBC ({exc}): apt-get install unixodbc odbc-postgresql")
    if ODBC_DRIVER not in pyodbc.drivers():
        pytest.fail(f"ODBC driver {ODBC_DRIVER!r} is missing: apt-get install odbc-postgresql unixodbc")
    name = unique_name("test_odbc_src")
    settings = create_pg_database(postgres_server, name)
    odbc = (
        f"DRIVER={{{ODBC_DRIVER}}};SERVER={settings.host};PORT={settings.port};DATABASE={name};"
        f"UID={settings.user};PWD={settings.password or 'unused-Pa55'};UseDeclareFetch=1;Fetch=1000"
    )
    try:
        yield settings, odbc
    finally:
        drop_pg_database(postgres_server, name)


SOURCE_DDL = """
CREATE TABLE items (
  id integer PRIMARY KEY, name varchar(20), note text, price numeric(10,2), ok boolean, at timestamp,
  day date, token uuid, payload bytea, big bigint, ratio real, precise double precision, flag smallint
);
INSERT INTO items
SELECT g, 'item ' || g, E'tab\\there \\\\ back\\nslash', g * 1.25, g % 2 = 0,
       timestamp '2024-01-01' + g * interval '1 minute', date '2024-01-01' + g,
       md5(g::text)::uuid, decode(lpad(to_hex(g), 8, '0'), 'hex'), g::bigint * 10000000000, g / 3.0, g / 7.0, g % 100
FROM generate_series(1, 2345) g;
INSERT INTO items (id, name, note) VALUES (99999, '', NULL);
"""


def _source(odbc: str) -> OdbcSource:
    return OdbcSource.from_url(odbc, default_schema="public", page_rows=500)


def _kwargs(pg: PostgresSettings, **extra):
    return dict(target_schema="raw", pg=pg, chunk_rows=100, **extra)


def test_pyodbc_path_copies_every_value(odbc_source, pg_database) -> None:
    source, odbc = odbc_source
    pg_query(source, SOURCE_DDL)
    result = sync_odbc(_source(odbc), "items", **_kwargs(pg_database))
    assert result.status == "success", result.error
    assert result.rows_per_table == {"raw.items": 2346}
    assert "unused-Pa55" not in result.model_dump_json() and "PWD" not in result.source

    expected = pg_query(source, "SELECT * FROM items ORDER BY id")
    assert pg_query(pg_database, "SELECT * FROM raw.items ORDER BY id") == expected
    assert pg_query(pg_database, "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                    "WHERE attrelid = 'raw.items'::regclass AND attnum > 0 ORDER BY attnum") == [
        ("integer",), ("character varying(20)",), ("text",), ("numeric(10,2)",), ("boolean",),
        ("timestamp without time zone",), ("date",), ("uuid",), ("bytea",), ("bigint",), ("real",),
        ("double precision",), ("smallint",),
    ]  # fmt: skip
    row = pg_query(pg_database, "SELECT note, payload, price FROM raw.items WHERE id = 3")[0]
    assert row == ("tab\there \\ back\nslash", b"\x00\x00\x00\x03", Decimal("3.75"))


def test_pyodbc_incremental_merge_with_keyset_pages(odbc_source, pg_database) -> None:
    source, odbc = odbc_source
    pg_query(source, SOURCE_DDL)
    kwargs = _kwargs(pg_database, mode="incremental", cursor_column="at")
    first = sync_odbc(_source(odbc), "public.items", **kwargs)
    assert first.status == "success", first.error
    assert first.tables[0].rows == 2346  # the first run reads everything, rows with a NULL cursor too
    watermark = first.tables[0].watermark
    assert watermark == (dt.datetime(2024, 1, 1) + dt.timedelta(minutes=2345)).isoformat()

    pg_query(source, "UPDATE items SET name = 'changed', at = timestamp '2030-01-01' WHERE id IN (5, 6)")
    second = sync_odbc(_source(odbc), "public.items", **kwargs)
    assert second.status == "success", second.error
    # 2 changed + the rows of the 5 minutes up to the watermark (the default lag), the boundary row included
    assert second.tables[0].rows == 2 + 6 and second.tables[0].total_rows == 2346
    assert pg_query(pg_database, "SELECT id FROM raw.items WHERE name = 'changed' ORDER BY id") == [(5,), (6,)]
    assert pg_query(pg_database, "SELECT watermark FROM raw._dm_sync_state WHERE table_name = 'items'") == [
        ("2030-01-01T00:00:00",)
    ]

    pg_query(source, "DELETE FROM items WHERE id IN (7, 2000)")  # found by the keys read through pyodbc pages
    third = sync_odbc(_source(odbc), "public.items", **kwargs, deletes="hard")
    assert third.status == "success", third.error
    assert third.tables[0].deleted == 2 and third.tables[0].total_rows == 2344


def test_pyodbc_bad_input(odbc_source, pg_database) -> None:
    source, odbc = odbc_source
    pg_query(source, "CREATE TABLE shapes (id int PRIMARY KEY, box box)")
    missing = sync_odbc(_source(odbc), "public.nope", **_kwargs(pg_database))
    assert missing.status == "failed" and "table public.nope not found" in (missing.error or "")
    unsupported = sync_odbc(_source(odbc), "public.shapes", **_kwargs(pg_database))
    assert "column 'box' has unsupported ODBC type 'box'" in (unsupported.error or "")
    unreachable = sync_odbc(
        OdbcSource.mssql("DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1;PORT=1;DATABASE=x;UID=sa;PWD=Very$ecret1"),
        "dbo.t",
        pg=pg_database,
    )
    assert unreachable.status == "failed" and unreachable.error_kind == "bad_input"
    assert (unreachable.error or "").startswith(
        "cannot connect to mssql at DRIVER={PostgreSQL Unicode};SERVER=127.0.0.1"
    )
    assert "Very$ecret1" not in unreachable.model_dump_json()
    assert pg_schemas(pg_database) == set()


MSSQL_DDL = [
    "IF OBJECT_ID('dbo.dm_sync_probe') IS NOT NULL DROP TABLE dbo.dm_sync_probe",
    "CREATE TABLE dbo.dm_sync_probe (id INT PRIMARY KEY, guid UNIQUEIDENTIFIER, at DATETIMEOFFSET(7), cash MONEY,"
    " body NVARCHAR(MAX), flag BIT, version ROWVERSION, label NVARCHAR(20), small TINYINT, dt2 DATETIME2)",
    "INSERT INTO dbo.dm_sync_probe (id, guid, at, cash, body, flag, label, small, dt2) VALUES"
    " (1, '6F9619FF-8B86-D011-B42D-00C04FC964FF', '2024-05-01 10:00:00.1234567 +02:00', 1234.5678,"
    " N'tab\there ✓', 1, N'x', 255, '2024-05-01 10:00:00.123456'),"
    " (2, NULL, NULL, NULL, N'', 0, NULL, NULL, NULL)",
]


def test_missing_unixodbc_is_a_one_line_error(pg_database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyodbc", None)  # what `import pyodbc` does without libodbc.so.2
    with pytest.raises(UserError, match=r"install unixODBC \(apt-get install unixodbc\)") as raised:
        OdbcSource.mssql("DRIVER={ODBC Driver 18 for SQL Server};SERVER=db;PWD=Secret-1")
    assert "Secret-1" not in str(raised.value)
    assert pg_schemas(pg_database) == set(), "nothing is written to the cache"


def test_real_sql_server_when_mssql_url_is_set(pg_database) -> None:
    url = os.environ.get("MSSQL_URL")
    if not url:
        pytest.skip("MSSQL_URL is not set: no SQL Server to sync from (set MSSQL_URL to an ODBC string to run this)")
    import pyodbc

    from data_manager.ingestion.sql.connections import odbc_connection_string

    with pyodbc.connect(odbc_connection_string(url), autocommit=True) as conn:
        for statement in MSSQL_DDL:
            conn.execute(statement)
    result = sync_odbc(OdbcSource.mssql(url), "dbo.dm_sync_probe", target_schema="raw", pg=pg_database)
    assert result.status == "success", result.error
    row = pg_query(
        pg_database,
        "SELECT guid::text, at, cash, body, flag, length(version), small FROM raw.dm_sync_probe WHERE id = 1",
    )
    assert row == [(
        "6f9619ff-8b86-d011-b42d-00c04fc964ff", dt.datetime(2024, 5, 1, 8, 0, 0, 123457, tzinfo=dt.UTC),
        Decimal("1234.5678"), "tab\there ✓", True, 8, 255,
    )]  # fmt: skip
    assert pg_query(pg_database, "SELECT body, flag FROM raw.dm_sync_probe WHERE id = 2") == [("", False)]
