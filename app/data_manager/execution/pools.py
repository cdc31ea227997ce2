"""Concurrency pools: every op that writes tables belongs to the pool named after what it writes.

Two runs that materialize the same assets (a schedule overlapping a manual run, a backfill, a double
click) would otherwise build the same tables at the same moment: dbt's `<model>__dbt_tmp` relations
collide (`relation "staging_products" already exists`) and syncs replace each other's tables.
`platform/dagster.yaml` gives every pool one slot (`default_op_concurrency_limit: 1`), so the second
run's step waits for the first one's to finish; other steps and runs go on in parallel. A pool's limit
is changed with `dagster instance concurrency set <pool> <n>` or in the UI (Deployment > Concurrency).
"""

from __future__ import annotations


def dbt_pool(location: str) -> str:
    """The location's dbt models: one `dbt build` of them at a time."""
    return f"dbt/{location}"


def sync_pool(kind: str, schema: str, source: str) -> str:
    """The tables a sync writes into `schema` from `source` (an Airbyte connector, a SQL table prefix)."""
    return f"{kind}/{schema}/{source}"
