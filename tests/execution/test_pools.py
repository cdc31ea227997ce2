"""Concurrency pools: names by what an op writes, and steps that wait for a slot ask again promptly."""

from __future__ import annotations

import dagster as dg
import pytest

from data_manager.dagster_private_api import instance_concurrency_context
from data_manager.execution.executor import with_platform_execution
from data_manager.execution.pools import CLAIM_RETRY_MAX_S, dbt_pool, sync_pool


def test_pools_are_named_after_what_their_ops_write() -> None:
    assert dbt_pool("shop") == "dbt/shop"
    assert sync_pool("sql", "mysql_cache", "shop") == "sql/mysql_cache/shop"


@pytest.mark.parametrize("executor", ["multiprocess", "celery"])
def test_a_step_waiting_for_a_slot_asks_again_within_the_cap(executor: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(instance_concurrency_context, "MAX_CONCURRENCY_CLAIM_BLOCKED_INTERVAL", 15)
    monkeypatch.setenv("EXECUTOR", executor)
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    waits = [instance_concurrency_context._calculate_timeout_interval(None, n) for n in (0, 20, 40)]
    assert waits[-1] == 15  # Dagster's own cap, before the platform's definitions load

    with_platform_execution(dg.Definitions(), "shop", "dagster_code.shop")
    waits = [instance_concurrency_context._calculate_timeout_interval(None, n) for n in (0, 20, 40)]
    assert waits == [1, CLAIM_RETRY_MAX_S, CLAIM_RETRY_MAX_S]
