"""Sample pipelines executed in-process against fresh databases, including the failure paths.

Expected row counts come from the API fixture and the MariaDB seed, never from a first run. A row
that breaks a dbt test fails its asset check; a source that is down fails the run with the
connector's error while the previous reporting table stays as it was. (airbyte_sync's success
path runs through GraphQL in test_dbt_stack_e2e.py; installing source-faker makes it the slowest.)
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import dagster as dg
import psycopg
import pytest

from dbt_support import (
    check_results,
    count_rows,
    ensure_manifest,
    failure_messages,
    materialized,
    run_job,
    seed_module,
    table_digest,
)
from sample_api import load_products, make_server
from sample_api.server import SampleApiServer

pytestmark = pytest.mark.e2e


def location(name: str) -> dg.Definitions:
    ensure_manifest()
    return importlib.import_module(f"dagster_code.{name}").defs


@pytest.fixture
def shop_env(mysql_database, pg_env, monkeypatch: pytest.MonkeyPatch):
    """A fresh Postgres (pg_env) and a fresh MariaDB database seeded with the sample shop."""
    seed_module().seed(
        mysql_database.host, mysql_database.port, mysql_database.user, mysql_database.password, mysql_database.database
    )
    for name, value in [
        ("MYSQL_HOST", mysql_database.host),
        ("MYSQL_PORT", str(mysql_database.port)),
        ("MYSQL_USER", mysql_database.user),
        ("MYSQL_PASSWORD", mysql_database.password),
        ("MYSQL_DB", mysql_database.database),
    ]:
        monkeypatch.setenv(name, value)
    return mysql_database


@pytest.fixture
def sample_api(pg_env, monkeypatch: pytest.MonkeyPatch) -> Iterator[SampleApiServer]:
    server = make_server()
    server.start_in_thread()
    monkeypatch.setenv("SAMPLE_API_URL", server.url)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_sql_sync_pipeline_then_a_bad_row_fails_the_relationships_check(shop_env, pg_env) -> None:
    defs = location("sql_sync")
    with shop_env.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM orders")
        seeded_orders = cur.fetchone()[0]

    target = ensure_manifest().parent
    artifacts_before = sorted(target.iterdir())
    result = run_job(defs, "sql_sync_pipeline")
    assert result.success, failure_messages(result)
    assert sorted(target.iterdir()) == artifacts_before, "a run left its dbt artifacts in the project's target/"
    assert count_rows(pg_env, "reporting", "shop_orders_reporting") == seeded_orders
    checks = check_results(result)
    assert len(checks) == len(defs.resolve_asset_graph().asset_check_keys) and all(checks.values()), checks
    metadata = materialized(result)
    assert set(metadata) == {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    for key, values in metadata.items():
        assert {"rows", "schema", "table"} <= values.keys() and ("duration_s" in values), (key, values)
    assert metadata["reporting/shop_orders_reporting"]["rows"] == seeded_orders

    before = table_digest(pg_env, "reporting", "shop_orders_reporting", "order_id")
    with psycopg.connect(**pg_env.connect_kwargs(), autocommit=True) as conn:
        conn.execute("UPDATE pyairbyte_cache.shop_orders SET customer_id = 999999 WHERE id = 1")
    dbt_keys = [key for key in defs.resolve_asset_graph().get_all_asset_keys() if key.path[0] != "pyairbyte_cache"]
    failed = run_job(defs, "sql_sync_pipeline", asset_selection=dbt_keys)

    assert not failed.success
    checks = check_results(failed)
    broken = [name for name, passed in checks.items() if not passed]
    assert broken == ["relationships_staging_shop_orders_customer_id__customer_id__ref_staging_shop_customers_"]
    assert "reporting/shop_orders_reporting" not in materialized(failed), "dbt must not rebuild on bad staging data"
    assert table_digest(pg_env, "reporting", "shop_orders_reporting", "order_id") == before


def test_sample_product_pipeline_then_api_down_keeps_the_reporting_table(sample_api, pg_env) -> None:
    defs = location("sample_product_sync")
    expected = len(load_products())

    result = run_job(defs, "sample_product_sync_pipeline")
    assert result.success, failure_messages(result)
    assert count_rows(pg_env, "reporting", "products_reporting") == expected
    assert all(check_results(result).values())
    with psycopg.connect(**pg_env.connect_kwargs()) as conn:
        discounted = conn.execute(
            "SELECT discount_percentage, created_at FROM staging.staging_products WHERE product_id = %s",
            (load_products()[0]["id"],),
        ).fetchone()
    assert float(discounted[0]) == pytest.approx(load_products()[0]["discountPercentage"])
    assert discounted[1].isoformat().startswith(load_products()[0]["meta"]["createdAt"][:19])

    before = table_digest(pg_env, "reporting", "products_reporting", "product_id")
    sample_api.shutdown()
    sample_api.server_close()
    down = run_job(defs, "sample_product_sync_pipeline")

    assert not down.success
    errors = "\n".join(failure_messages(down))
    assert "sample-connector" in errors and "Connection refused" in errors, errors[-2000:]
    assert not any(key.startswith(("staging/", "reporting/")) for key in materialized(down))
    assert count_rows(pg_env, "reporting", "products_reporting") == expected
    assert table_digest(pg_env, "reporting", "products_reporting", "product_id") == before
