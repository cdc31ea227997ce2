"""kill -9 a sync mid-table: the previous table and watermark must survive untouched, and a rerun completes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ingestion.sql.sql_sync_support import mysql_exec, pg_query, sync_mysql

NEW_ROWS = 300_000
KILL_AFTER_ROWS = 20_000  # copied rows after which the sync is killed
KEYED_ROWS = 150_000  # source rows of the delete-sweep kill: enough keys for the sync to be killed mid-stream


def _snapshot(pg) -> tuple:
    content = pg_query(pg, "SELECT count(*), md5(string_agg(t::text, '|' ORDER BY id)) FROM raw.big t")
    state = pg_query(pg, "SELECT table_name, mode, cursor_column, watermark, watermark_type, rows_synced, synced_at "
                         "FROM raw._dm_sync_state")  # fmt: skip
    return content, state


def _copy_progress(pg) -> int:
    rows = pg_query(
        pg, "SELECT coalesce(max(tuples_processed), 0) FROM pg_stat_progress_copy WHERE datname = current_database()"
    )
    return int(rows[0][0])


def _wait_for_backends_to_exit(pg, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        others = pg_query(
            pg, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        if others == [(0,)]:
            return
        time.sleep(0.1)
    pytest.fail("the killed sync's Postgres backend did not go away")


def _sync_command(mode: str, reader: str, *extra: str) -> list[str]:
    """`data-manager sync mysql` of table `big` into schema raw, cursor updated_at, in small chunks."""
    return [
        sys.executable, "-m", "data_manager.cli", "sync", "mysql", "--tables", "big", "--schema", "raw",
        "--mode", mode, "--cursor", "updated_at", "--reader", reader, "--chunk-rows", "2000", *extra,
    ]  # fmt: skip


def _kill_mid_copy_changes_nothing(command: list[str], env: dict[str, str], pg, log_path, before: tuple) -> None:
    """Run the sync CLI, kill -9 it once a COPY of its has passed KILL_AFTER_ROWS; then the table and watermark
    must be as `before` and no staging table (named `_dm_stage*`) may be left."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while _copy_progress(pg) < KILL_AFTER_ROWS:
                if proc.poll() is not None:
                    pytest.fail(f"sync ended before it could be killed: {log_path.read_text()[-500:]}")
                if time.monotonic() > deadline:
                    pytest.fail(f"the sync never reached {KILL_AFTER_ROWS:,} copied rows")
                time.sleep(0.02)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    _wait_for_backends_to_exit(pg)
    assert _snapshot(pg) == before, "a killed sync changed the previous table or watermark"
    assert pg_query(pg, "SELECT relname FROM pg_class WHERE relname LIKE '\\_dm\\_stage%'") == []


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("mode", "reader"),
    [("full", "pymysql"), ("incremental", "pymysql"), ("full", "connectorx"), ("truncate", "pymysql")],
    ids=["full-pymysql", "incremental-pymysql", "full-connectorx-fast-path", "truncate-pymysql"],
)
def test_kill_mid_table_keeps_previous_table_and_watermark(mode, reader, mysql_database, pg_env, tmp_path) -> None:
    mysql_exec(
        mysql_database,
        "CREATE TABLE big (id INT PRIMARY KEY, payload VARCHAR(200), amount DECIMAL(12,2), updated_at DATETIME(6) NOT NULL)",
        "INSERT INTO big SELECT seq, CONCAT('row ', seq), seq / 100, '2024-01-01' + INTERVAL seq SECOND FROM seq_1_to_1000",
    )
    kwargs = dict(target_schema="raw", mode=mode, cursor_column="updated_at", pg=pg_env)
    assert sync_mysql(mysql_database.url(), "big", **kwargs).status == "success"
    before = _snapshot(pg_env)
    assert before[0][0][0] == 1000 and before[1][0][3] == "2024-01-01T00:16:40"

    mysql_exec(
        mysql_database,
        "UPDATE big SET payload = 'changed', updated_at = '2025-01-01' WHERE id <= 10",
        f"INSERT INTO big SELECT seq, REPEAT('x', 150), seq / 100, '2024-06-01' + INTERVAL seq SECOND "
        f"FROM seq_1001_to_{1000 + NEW_ROWS}",
    )
    command = _sync_command(mode, reader)
    env = {**os.environ, "MYSQL_URL": mysql_database.url()}
    _kill_mid_copy_changes_nothing(command, env, pg_env, tmp_path / "sync.log", before)

    rerun = subprocess.run([*command, "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-1000:]
    after = _snapshot(pg_env)
    assert after[0][0][0] == 1000 + NEW_ROWS
    assert after[1][0][3] == "2025-01-01T00:00:00"
    assert pg_query(pg_env, "SELECT count(*) FROM raw.big WHERE payload = 'changed'") == [(10,)]


@pytest.mark.e2e
def test_kill_mid_delete_sweep_keeps_the_target_and_leaves_no_key_table(mysql_database, pg_env, tmp_path) -> None:
    """The key sweep is part of the table's transaction: killed while the source's keys stream into their
    temp table, nothing of the run (merge, deletes, watermark) is kept and no table is left behind."""
    mysql_exec(
        mysql_database,
        "CREATE TABLE big (id INT PRIMARY KEY, payload VARCHAR(200), amount DECIMAL(12,2), updated_at DATETIME(6) NOT NULL)",
        f"INSERT INTO big SELECT seq, CONCAT('row ', seq), seq / 100, '2024-01-01' + INTERVAL seq SECOND "
        f"FROM seq_1_to_{KEYED_ROWS}",
    )
    kwargs = dict(target_schema="raw", mode="incremental", cursor_column="updated_at", deletes="hard", pg=pg_env)
    assert sync_mysql(mysql_database.url(), "big", **kwargs).status == "success"
    before = _snapshot(pg_env)

    # a few changed rows to merge, then 1% deleted: only the key stream can reach 20,000 copied rows
    mysql_exec(
        mysql_database,
        "UPDATE big SET payload = 'changed', updated_at = '2025-01-01' WHERE id <= 10",
        "DELETE FROM big WHERE id % 100 = 0",
    )
    command = _sync_command("incremental", "pymysql", "--deletes", "hard", "--lag", "0")
    env = {**os.environ, "MYSQL_URL": mysql_database.url()}
    _kill_mid_copy_changes_nothing(command, env, pg_env, tmp_path / "sync.log", before)  # while keys stream

    rerun_command = _sync_command("incremental", "auto", "--deletes", "hard", "--lag", "0", "--json")
    rerun = subprocess.run(rerun_command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-1000:]
    assert json.loads(rerun.stdout)["tables"][0]["deleted"] == KEYED_ROWS // 100
    assert pg_query(pg_env, "SELECT count(*), count(*) FILTER (WHERE payload = 'changed') FROM raw.big") == [
        (KEYED_ROWS - KEYED_ROWS // 100, 10)
    ]
