"""More runs of one job submitted at once than the run queue admits (#29): they take turns at the steps that write shared tables.

Before concurrency pools two runs of `sample_product_sync_pipeline` built the same dbt models at the same
moment and one failed with `relation "staging_products" already exists`. Now the sync and the dbt step are
each in a pool of one slot (platform/dagster.yaml, data_manager/execution/pools.py): every run succeeds,
no two runs' dbt steps overlap, and the tables hold each product exactly once.
"""

from __future__ import annotations

import itertools

import psycopg
import pytest

from conftest import SHARED_STACK_CONCURRENT_RUNS
from sample_api import load_products

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(180), pytest.mark.timeout(1800)]  # three dbt builds in turn

LOCATION = "sample_product_sync"
RUNS = SHARED_STACK_CONCURRENT_RUNS + 1  # one more than the run queue admits: one also waits in the queue
STEP_STATS = """
query StepStats($runId: ID!) {
  runOrError(runId: $runId) { ... on Run { stepStats { stepKey status startTime endTime } } }
}
"""


def step_intervals(stack, run_id: str) -> dict[str, tuple[float, float]]:
    with stack.client() as client:
        data = client.execute(STEP_STATS, {"runId": run_id})
    return {s["stepKey"]: (s["startTime"], s["endTime"]) for s in data["runOrError"]["stepStats"]}


def test_runs_of_one_job_at_once_all_succeed_and_tables_are_exact(platform_stack) -> None:
    platform_stack.wait_until_loaded([LOCATION])
    run_ids = [platform_stack.launch_job(LOCATION, f"{LOCATION}_pipeline") for _ in range(RUNS)]
    # a run a fault failed (a refused connection under load) counts when its automatic retry succeeded
    finals = dict(platform_stack.wait_for_run_or_its_retries(run_id, timeout_s=900) for run_id in run_ids)
    failed = {r: platform_stack.run_messages(r)[-5:] for r, s in finals.items() if s != "SUCCESS"}
    assert not failed, failed
    run_ids = list(finals)

    dbt_steps = sorted(
        interval
        for run_id in run_ids
        for step, interval in step_intervals(platform_stack, run_id).items()
        if step.endswith("_dbt_models")
    )
    assert len(dbt_steps) == RUNS
    for (_, first_end), (second_start, _) in itertools.pairwise(dbt_steps):
        assert second_start >= first_end, f"two dbt steps overlapped: {dbt_steps}"

    products = load_products()
    expected_stock = sum(product["stock"] for product in products)
    with psycopg.connect(**platform_stack.pg.connect_kwargs()) as conn:
        cache = conn.execute("SELECT count(*), count(DISTINCT id) FROM pyairbyte_cache.sample_connector_products")
        assert cache.fetchone() == (len(products), len(products))
        staging = conn.execute("SELECT count(*), count(DISTINCT product_id) FROM staging.staging_products")
        assert staging.fetchone() == (len(products), len(products))
        reporting = conn.execute(
            "SELECT count(*), count(DISTINCT product_id), sum(stock) FROM reporting.products_reporting"
        )
        assert reporting.fetchone() == (len(products), len(products), expected_stock)
        leftovers = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relname LIKE '%%__dbt_tmp%%' OR relname LIKE '%%__dbt_backup%%'"
        )
        assert leftovers.fetchone() == (0,)
