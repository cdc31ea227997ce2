"""`data-manager sync mysql|mssql` as a user runs it: JSON on stdout, one-line errors, exit codes, no passwords."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ingestion.sql.sql_sync_support import mysql_exec, pg_query, pg_schemas


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data_manager.cli", "sync", *args],
        capture_output=True, text=True, timeout=180, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_mysql_sync_prints_a_json_summary(mysql_database, pg_env) -> None:
    mysql_exec(
        mysql_database,
        "CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(8,2))",
        "INSERT INTO orders VALUES (1, 9.99), (2, 20.00)",
    )
    done = _cli("mysql", "--tables", "orders", "--schema", "raw", "--prefix", "shop_", "--json",
                env={"MYSQL_URL": mysql_database.url()})  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "success" and summary["rows_per_table"] == {"raw.shop_orders": 2}
    assert summary["total_rows"] == 2 and summary["tables"][0]["source_table"].endswith(".orders")
    assert "orders" in done.stderr  # progress goes to stderr, stdout holds only the JSON
    assert pg_query(pg_env, "SELECT id, total::text FROM raw.shop_orders ORDER BY id") == [(1, "9.99"), (2, "20.00")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tables", "a;b"], "error: invalid table name 'a;b'"),
        (["--tables", "missing"], "error: table {db}.missing not found in mysql://root@"),
        (["--tables", "orders", "--mode", "backfill", "--cursor", "id"], "error: mode: backfill needs a range"),
        (["--tables", "orders", "--range", "1,2"], "error: range: needs mode backfill"),
        (["--tables", "orders", "--schema", "bad-schema"], "error: invalid target schema 'bad-schema'"),
        (["--tables", "orders", "--deletes", "hard"], "error: deletes: hard needs mode incremental"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message, mysql_database, pg_env) -> None:
    mysql_exec(mysql_database, "CREATE TABLE orders (id INT PRIMARY KEY)")
    done = _cli("mysql", *args, "--url", mysql_database.url())
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(message.format(db=mysql_database.database)), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert pg_schemas(pg_env) == set()


def test_passwords_never_reach_the_output(pg_env) -> None:
    secret = "Hunter2-very-secret"
    mysql = _cli("mysql", "--tables", "t", "--json", env={"MYSQL_URL": f"mysql://app:{secret}@127.0.0.1:1/shop"})
    assert mysql.returncode == 2
    assert json.loads(mysql.stdout)["error"].startswith("cannot connect to MySQL at mysql://app:***@127.0.0.1:1/shop")
    mssql = _cli("mssql", "--tables", "t", "--url", f"mssql://sa:{secret}@127.0.0.1:1/erp?driver=PostgreSQL+Unicode")
    assert mssql.returncode == 2 and "error: cannot connect to mssql at" in mssql.stderr
    for done in (mysql, mssql):
        assert secret not in done.stdout + done.stderr
