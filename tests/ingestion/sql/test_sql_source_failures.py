"""The source dies or changes while a sync reads it: one clear line, nothing lost, nothing missed."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from data_manager.ingestion.sql.mysql import MySQLSource
from data_manager.ingestion.sql.rust_panics import PanicFilter
from ingestion.sql.sql_sync_support import mysql_exec, pg_query, sync_mysql

READERS = ["pymysql", "connectorx"]

# Run in a child process so that everything it writes to the terminal (fd 2 included) can be checked.
KILL_MID_READ = textwrap.dedent(
    """
    import dataclasses, json, os, sys
    from cuttable_proxy import CuttableProxy
    from data_manager.ingestion.sql.connections import MySQLConnection
    from data_manager.ingestion.sql.engine import sync_tables
    from data_manager.ingestion.sql.mysql import MySQLSource
    from data_manager.ingestion.sql.request import SyncRequest
    from data_manager.settings import PostgresSettings

    direct = MySQLConnection.from_url(os.environ["TEST_MYSQL_URL"])
    proxy = CuttableProxy.start(direct.host, direct.port)
    through_proxy = dataclasses.replace(direct, host="127.0.0.1", port=proxy.port)
    cut = []

    def lose_the_network(table, rows):
        if rows and not cut:
            cut.append(True)
            proxy.cut()

    result = sync_tables(
        MySQLSource.from_url(through_proxy.url(), sys.argv[1]),
        SyncRequest("wide", target_schema="raw", chunk_rows=500),
        pg=PostgresSettings.from_env(), progress=lose_the_network,
    )
    print(json.dumps({"status": result.status, "error": result.error, "killed": bool(cut)}))
    print(f"error: {result.error}", file=sys.stderr)
    """
)


def _fill_wide(mysql_database, rows: int) -> None:
    mysql_exec(
        mysql_database,
        "CREATE TABLE wide (id INT PRIMARY KEY, note TEXT NOT NULL)",
        f"INSERT INTO wide SELECT seq, REPEAT(CONCAT('row ', seq, ' '), 100) FROM seq_1_to_{rows}",
    )


@pytest.mark.parametrize("reader", READERS)
def test_lost_source_connection_is_one_line_and_changes_nothing(reader, mysql_database, mysql_url, pg_env) -> None:
    _fill_wide(mysql_database, 1000)
    assert sync_mysql(mysql_url, "wide", target_schema="raw", pg=pg_env).status == "success"
    before = pg_query(pg_env, "SELECT count(*), md5(string_agg(note, '' ORDER BY id)) FROM raw.wide")
    mysql_exec(mysql_database, "INSERT INTO wide SELECT seq, REPEAT('more ', 200) FROM seq_1001_to_60000")

    environment = {**os.environ, "TEST_MYSQL_URL": mysql_url, "PYTHONPATH": str(Path(__file__).parent)}
    environment["RUST_BACKTRACE"] = "1"  # the worst case: Rust would print a whole backtrace
    done = subprocess.run(
        [sys.executable, "-c", KILL_MID_READ, reader], capture_output=True, text=True, env=environment, timeout=300
    )
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome["killed"] and outcome["status"] == "failed", outcome
    assert outcome["error"].startswith(
        f"the mysql source connection was lost during table {mysql_database.database}.wide"
    )
    assert done.stderr.strip().splitlines() == [f"error: {outcome['error']}"]  # no traceback, panic or backtrace
    assert pg_query(pg_env, "SELECT count(*), md5(string_agg(note, '' ORDER BY id)) FROM raw.wide") == before


def test_panic_filter_drops_rust_panic_reports_and_pool_logs_only() -> None:
    panic_filter = PanicFilter()
    text = (
        b"before\n"
        b"thread '<unnamed>' (123) panicked at src/arrow_batch_iter.rs:162:39:\n"
        b"cx writer failed: IO error\n"
        b"stack backtrace:\n   0: rust_begin_unwind\n             at ./x.rs:1:2\n"
        b"note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\n"
        b"[2026-12-01T21:48:56Z ERROR r2d2] IoError { server disconnected }\n"
        b"after\n"
        b"thread 'main' panicked at src/lib.rs:1:1:\nboom\n"
        b"note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n"
        b"progress 50%\r"
    )
    out = b"".join(panic_filter.feed(text[i : i + 7]) for i in range(0, len(text), 7)) + panic_filter.flush()
    assert out == b"before\nafter\nprogress 50%\r"


@pytest.mark.parametrize("reader", READERS)
def test_chunks_are_bounded_by_bytes_for_wide_rows(reader, mysql_database, mysql_url) -> None:
    """Chunks follow a byte budget, not a row count, so memory does not grow with the row width."""
    from data_manager.ingestion.sql.connections import MySQLConnection
    from data_manager.ingestion.sql.engine import _plan_table
    from data_manager.ingestion.sql.identifiers import TableRef
    from data_manager.ingestion.sql.request import SyncRequest
    from data_manager.ingestion.sql.source import ReadRequest

    _fill_wide(mysql_database, 3000)  # rows of ~1.1 KB
    source = MySQLSource(MySQLConnection.from_url(mysql_url), reader=reader)  # type: ignore[arg-type]
    source.open()
    try:
        plan = _plan_table(source, TableRef("wide"), SyncRequest("wide", target_schema="x"))
        chunks = list(source.read(ReadRequest(table=plan, chunk_rows=50_000, chunk_bytes=512 << 10)))
    finally:
        source.close()
    assert sum(c.rows for c in chunks) == 3000
    assert max(len(c.data) for c in chunks) <= 768 << 10  # the budget, give or take the learnt row width
    assert len(chunks) >= 4


def test_incremental_syncs_take_the_fast_reader_and_miss_no_row_changed_mid_read(
    mysql_database, mysql_url, pg_database, monkeypatch
) -> None:
    """connectorx reads in separate pages: a row changed after its page was read must still be picked up
    by the next run, so the stored watermark never passes the cursor's maximum taken before the read."""
    import data_manager.ingestion.sql.mysql as mysql_module

    monkeypatch.setattr(mysql_module, "CONNECTORX_PAGE_ROWS", 10)
    t0 = dt.datetime(2024, 1, 1)
    mysql_exec(
        mysql_database,
        "CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(20) NOT NULL, updated_at DATETIME(6) NOT NULL)",
        many=(
            "INSERT INTO orders VALUES (%s, %s, %s)",
            [(i, "new", t0 + dt.timedelta(minutes=i)) for i in range(1, 201)],
        ),
    )
    changed = []

    def change_rows_mid_read(table: str, rows: int) -> None:
        if rows and not changed:  # row 1 was read already; row 200 is pages away
            changed.append(True)
            mysql_exec(
                mysql_database,
                "UPDATE orders SET status = 'paid', updated_at = '2025-01-01' WHERE id = 1",
                "UPDATE orders SET status = 'paid', updated_at = '2025-01-02' WHERE id = 200",
            )

    kwargs = dict(target_schema="raw", mode="incremental", cursor_column="updated_at", pg=pg_database, chunk_rows=10)
    first = sync_mysql(mysql_url, "orders", progress=change_rows_mid_read, **kwargs)
    assert first.status == "success", first.error
    assert changed and first.tables[0].reader == "connectorx"
    # row 200 was read with its new cursor, above the maximum before the read: the watermark stays below it
    assert first.tables[0].watermark == (t0 + dt.timedelta(minutes=199)).isoformat()
    second = sync_mysql(mysql_url, "orders", **kwargs)
    assert second.status == "success", second.error
    assert second.tables[0].reader == "connectorx"
    assert pg_query(pg_database, "SELECT id, status FROM raw.orders WHERE status = 'paid' ORDER BY id") == [
        (1, "paid"),
        (200, "paid"),
    ]
