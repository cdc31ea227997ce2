"""Each sample's `<location>_pipeline`, launched through GraphQL on the running local stack.

Expected row counts come from the API fixture, the seeded MariaDB database and the connector
config; never from a first run.
"""

from __future__ import annotations

import time

import httpx
import pymysql
import pytest
import yaml

from data_manager.settings import env
from dbt_support import REPO_ROOT, count_rows, table_digest
from sample_api import load_products

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(210)]

REPORTING = {
    "airbyte_sync": "faker_users_reporting",
    "sample_product_sync": "products_reporting",
    "sql_sync": "shop_orders_reporting",
}


def expected_rows(location: str, stack_env: dict[str, str]) -> int:
    if location == "sample_product_sync":
        return len(load_products())
    if location == "airbyte_sync":
        connector = yaml.safe_load((REPO_ROOT / "external-connectors" / "source-faker.yaml").read_text())
        return connector["config"]["count"]
    conn = pymysql.connect(
        host=env("MYSQL_HOST", stack_env),
        port=int(env("MYSQL_PORT", stack_env)),
        user=env("MYSQL_USER", stack_env),
        password=env("MYSQL_PASSWORD", stack_env),
        database=env("MYSQL_DB", stack_env),
    )
    with conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM orders")
        return cur.fetchone()[0]


@pytest.fixture(scope="module")
def launched(platform_stack) -> dict[str, str]:
    """All three pipelines launched at once (the run queue runs two side by side, then the third)."""
    platform_stack.wait_until_loaded(list(REPORTING))
    return {location: platform_stack.launch_job(location, f"{location}_pipeline") for location in REPORTING}


@pytest.mark.parametrize("location", sorted(REPORTING))
def test_sample_pipeline_succeeds_through_graphql(platform_stack, launched: dict[str, str], location: str) -> None:
    run_id = launched[location]
    status = platform_stack.wait_for_run(run_id, timeout_s=600)
    assert status == "SUCCESS", "\n".join(platform_stack.run_messages(run_id)[-30:])
    assert count_rows(platform_stack.pg, "reporting", REPORTING[location]) == expected_rows(
        location, platform_stack.env
    )


def test_api_down_fails_the_run_with_the_connector_error_and_keeps_reporting(
    platform_stack, launched: dict[str, str]
) -> None:
    """Runs last: stops the stack's sample API, then the pipeline fails and the old reporting table stays."""
    assert platform_stack.wait_for_run(launched["sample_product_sync"], timeout_s=600) == "SUCCESS"
    before = table_digest(platform_stack.pg, "reporting", "products_reporting", "product_id")
    api = platform_stack.find_processes("sample_api")
    assert api, "the stack runs no sample API"
    command = api[0].cmdline()
    for process in api:
        process.kill()

    run_id = platform_stack.launch_job("sample_product_sync", "sample_product_sync_pipeline")
    try:
        assert platform_stack.wait_for_run(run_id, timeout_s=600) == "FAILURE"
        messages = "\n".join(platform_stack.run_messages(run_id))
        assert "sample-connector" in messages and "Connection refused" in messages, messages[-2000:]
        assert table_digest(platform_stack.pg, "reporting", "products_reporting", "product_id") == before
    finally:
        # the stack is shared by later modules on this worker: leave it as found, the API back (`make dev`
        # does not restart a sample service) and this run's automatic retries ended, not racing their runs
        platform_stack.restart_sample_service(command)
        wait_until_answers(platform_stack.env["SAMPLE_API_URL"], timeout_s=120)
        platform_stack.wait_for_run_or_its_retries(run_id, timeout_s=600)


def wait_until_answers(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"the stack's sample API at {url} did not come back"
            time.sleep(0.5)
