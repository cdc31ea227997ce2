"""SqlTableSyncComponent declared in a location's defs.yaml, loaded and materialized in-process.

The location is the minimal pattern a code-location package needs (see `_write_location`): a `dg.toml`
naming the package as root module and `dg.load_from_defs_folder` in its `__init__.py`.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import dagster as dg
import pytest

from ingestion.sql.sql_sync_support import mysql_exec, pg_query

HEAVY_MODULES = ["airbyte", "pandas", "pymysql", "pyodbc", "psycopg", "connectorx", "pyarrow", "sqlalchemy"]


def _write_location(root: Path, attributes: str) -> str:
    """A throw-away code location package `<root>/<name>/` with one defs.yaml; returns its module name."""
    name = f"sqlsync_loc_{uuid.uuid4().hex[:8]}"
    package = root / name
    (package / "defs" / "shop_sync").mkdir(parents=True)
    (package / "dg.toml").write_text(f'directory_type = "project"\n\n[project]\nroot_module = "{name}"\n')
    (package / "__init__.py").write_text(
        "from pathlib import Path\n\nimport dagster as dg\n\n"
        "defs = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)\n"
    )
    (package / "defs" / "__init__.py").write_text("")
    (package / "defs" / "shop_sync" / "defs.yaml").write_text(
        "type: data_manager.components.SqlTableSyncComponent\nattributes:\n" + textwrap.indent(attributes, "  ")
    )
    return name


@pytest.fixture
def shop(mysql_database, pg_env, monkeypatch: pytest.MonkeyPatch):
    """A MariaDB shop database exposed through the MYSQL_* variables, and the cache schema env."""
    mysql_exec(
        mysql_database,
        "CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(10), updated_at DATETIME NOT NULL)",
        "CREATE TABLE customers (id INT PRIMARY KEY, name TEXT, updated_at DATETIME NOT NULL)",
        "INSERT INTO orders VALUES (1, 'new', '2024-01-01 10:00:00'), (2, 'paid', '2024-01-02 10:00:00')",
        "INSERT INTO customers VALUES (1, 'Ada', NOW()), (2, 'Grace', NOW()), (3, 'Linus', NOW())",
    )
    for var, value in {
        "MYSQL_HOST": mysql_database.host, "MYSQL_PORT": str(mysql_database.port), "MYSQL_USER": mysql_database.user,
        "MYSQL_PASSWORD": mysql_database.password, "MYSQL_DB": mysql_database.database, "CACHE_SCHEMA": "cache_test",
    }.items():  # fmt: skip
        monkeypatch.setenv(var, value)
    return mysql_database


def _load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, attributes: str) -> dg.Definitions:
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module(_write_location(tmp_path, attributes))
    return module.defs


def test_component_materializes_one_asset_per_table(shop, pg_env, tmp_path, monkeypatch) -> None:
    defs = _load(
        tmp_path,
        monkeypatch,
        "source: mysql\ntables: [orders, customers]\nmode: incremental\ncursor_column: updated_at\n"
        "group_name: shop\ndeps: [upstream/thing]\ndeletes: hard\nlag: 90s\n",
    )
    prefix = f"{shop.database}_"  # default table_prefix: the source database name
    orders_key = dg.AssetKey(["cache_test", f"{prefix}orders"])
    customers_key = dg.AssetKey(["cache_test", f"{prefix}customers"])
    graph = defs.resolve_asset_graph()
    assert {orders_key, customers_key} <= set(graph.get_all_asset_keys())
    assert graph.get(orders_key).group_name == "shop"
    assert dg.AssetKey(["upstream", "thing"]) in graph.get(orders_key).parent_keys

    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(asset_selection=[orders_key, customers_key])
    assert result.success
    events = {e.asset_key: e.materialization.metadata for e in result.get_asset_materialization_events()}
    assert set(events) == {orders_key, customers_key}
    orders = events[orders_key]
    assert orders["rows"].value == 2 and orders["schema"].value == "cache_test"
    assert orders["table"].value == f"{prefix}orders" and orders["duration_s"].value > 0
    assert orders["watermark"].value == "2024-01-02T10:00:00"
    assert orders["reader"].value == "connectorx"  # incremental syncs take the fast reader too
    assert events[customers_key]["rows"].value == 3
    assert pg_query(pg_env, f'SELECT id, status FROM cache_test."{prefix}orders" ORDER BY id') == [
        (1, "new"), (2, "paid"),
    ]  # fmt: skip

    assert orders["deletes"].value == "hard" and orders["deleted"].value == 0

    # a second run merges only what changed since the watermark, and removes what the source deleted
    mysql_exec(
        shop,
        "UPDATE orders SET status = 'shipped', updated_at = '2024-01-03 00:00:00' WHERE id = 1",
        "DELETE FROM orders WHERE id = 2",
    )
    again = job.execute_in_process(asset_selection=[orders_key])
    assert again.success
    [event] = again.get_asset_materialization_events()
    assert event.materialization.metadata["total_rows"].value == 1
    assert event.materialization.metadata["deleted"].value == 1
    assert pg_query(pg_env, f'SELECT id, status FROM cache_test."{prefix}orders"') == [(1, "shipped")]


def test_component_declares_the_tables_it_writes(monkeypatch) -> None:
    """`owned_tables()` names exactly the asset tables, with the default prefix and schema (purge uses it)."""
    from data_manager.components import SqlTableSyncComponent
    from data_manager.ingestion.naming import OwnedTable

    monkeypatch.setenv("MYSQL_DB", "shop")
    monkeypatch.setenv("CACHE_SCHEMA", "raw")
    component = SqlTableSyncComponent(source="mysql", tables=["Orders", "sales.customers"])
    assert component.owned_tables() == [
        OwnedTable("raw", "shop_orders", "sql"),
        OwnedTable("raw", "shop_customers", "sql"),
    ]
    assert [component.asset_key(t).path[-1] for t in component.tables] == ["shop_orders", "shop_customers"]


def test_failed_sync_fails_the_asset_with_the_source_error(shop, pg_env, tmp_path, monkeypatch) -> None:
    defs = _load(tmp_path, monkeypatch, "source: mysql\ntables: [orders, missing_table]\ntable_prefix: shop_\n")
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert f"table {shop.database}.missing_table not found" in failure.step_failure_data.error.message
    assert result.get_asset_materialization_events() == []
    assert pg_query(pg_env, "SELECT count(*) FROM pg_namespace WHERE nspname = 'cache_test'") == [(0,)]


def test_mssql_component_needs_its_url_variable(pg_env, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("MSSQL_URL", raising=False)
    defs = _load(tmp_path, monkeypatch, "source: mssql\ntables: [dbo.orders]\ntable_prefix: erp_\ntarget_schema: raw\n")
    assert dg.AssetKey(["raw", "erp_orders"]) in defs.resolve_asset_graph().get_all_asset_keys()
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "environment variable MSSQL_URL is not set" in failure.step_failure_data.error.message


def test_loading_the_location_stays_light(tmp_path: Path) -> None:
    """Code servers load definitions without database drivers, pandas or airbyte."""
    name = _write_location(tmp_path, "source: mysql\ntables: [orders]\ntable_prefix: shop_\n")
    probe = (
        "import json, sys, time\n"
        "t = time.perf_counter()\n"
        f"import {name} as location\n"
        "keys = [k.to_user_string() for k in location.defs.resolve_asset_graph().get_all_asset_keys()]\n"
        "print(json.dumps({'seconds': time.perf_counter() - t, 'keys': keys,\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forked pytest process across exec
        "  'rss_mb': int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) / 1024,\n"
        f"  'heavy': sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules)}}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"location load: {report['seconds']:.2f}s, peak RSS {report['rss_mb']:.0f} MB")
    assert report["keys"] == ["pyairbyte_cache/shop_orders"]
    assert report["heavy"] == [], f"loading definitions imported {report['heavy']}"
    assert report["rss_mb"] < 250


def test_component_is_registered_for_dg_list() -> None:
    from dagster.components.core.package_entry import discover_entry_point_package_objects

    names = {key.to_typename() for key in discover_entry_point_package_objects()}
    assert "data_manager.components.SqlTableSyncComponent" in names


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ("source: mysql\ntables: [orders]\nmode: backfill\n", "mode: backfill needs cursor_column"),
        ("source: mysql\ntables: [orders]\nmode: sometimes\n", "full-refresh"),
        (
            "source: mysql\ntables: [orders]\ncursor_column: u\nrange: {start: 1, end: 2}\n",
            "range: needs mode backfill",
        ),
        ("source: mysql\ntables: ['orders;drop']\ntable_prefix: x_\n", "invalid table name 'orders;drop'"),
        ("source: mysql\ntables: []\ntable_prefix: x_\n", "at least 1 item"),
        ("source: mysql\ntables: [orders]\ndeletes: soft\n", "deletes: soft needs mode incremental"),
        (
            "source: mysql\ntables: [orders]\nmode: incremental\ncursor_column: updated_at\nlag: soon\n",
            "lag: invalid duration 'soon': use seconds or a duration like 90s, 5m, 1h",
        ),
    ],
)
def test_bad_declarations_fail_when_the_location_loads(attributes, message, tmp_path, monkeypatch) -> None:
    with pytest.raises(Exception) as info:
        _load(tmp_path, monkeypatch, attributes)
    chain, exc = [], info.value
    while exc is not None:  # dagster wraps the component's error in its tree report
        chain.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    assert any(message in text for text in chain), chain
