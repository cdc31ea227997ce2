"""Concurrency pools: every op that writes tables belongs to the pool named after what it writes.

Two runs that materialize the same assets (a schedule overlapping a manual run, a backfill, a double
click) would otherwise build the same tables at the same moment: dbt's `<model>__dbt_tmp` relations
collide (`relation "staging_products" already exists`) and syncs replace each other's tables.
`platform/dagster.yaml` gives every pool one slot (`default_op_concurrency_limit: 1`), so the second
run's step waits for the first one's to finish; other steps and runs go on in parallel. A pool's limit
is changed with `dagster instance concurrency set <pool> <n>` or in the UI (Deployment > Concurrency).

A waiting step asks for its slot again after 1 s, then ever later (1.1^n s), up to 15 s: a step that waited for
a minute-long dbt build then starts up to 15 s after the slot was freed. `claim_slots_promptly` caps the wait
between two asks at CLAIM_RETRY_MAX_S (one indexed row read in the instance's Postgres per ask).
"""

from __future__ import annotations

CLAIM_RETRY_MAX_S = 2.0


def dbt_pool(location: str) -> str:
    """The location's dbt models: one `dbt build` of them at a time."""
    return f"dbt/{location}"


def sync_pool(kind: str, schema: str, source: str) -> str:
    """The tables a sync writes into `schema` from `source` (an Airbyte connector, a SQL table prefix)."""
    return f"{kind}/{schema}/{source}"


def claim_slots_promptly() -> None:
    """Cap how long a run's step waiting for a pool slot sleeps between two claims (Dagster's own cap: 15 s).
    Called where every location's definitions load, so every run worker that claims slots has it."""
    from data_manager.dagster_private_api import instance_concurrency_context

    instance_concurrency_context.MAX_CONCURRENCY_CLAIM_BLOCKED_INTERVAL = CLAIM_RETRY_MAX_S
