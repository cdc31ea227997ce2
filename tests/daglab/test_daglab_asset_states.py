"""daglab's asset state query against the fixture webserver: a materialized asset, one never materialized."""

from __future__ import annotations

import pytest

from daglab.client import DagsterClient
from daglab.operations import derive_asset_state

pytestmark = pytest.mark.e2e

LOCATION = "daglab_fixture_defs.py"


def test_daglab_asset_states_follow_a_materialization(client: DagsterClient) -> None:
    target = client.resolve_assets([["orders", "raw"]], location=LOCATION)
    run_id = client.launch(target)
    assert client.wait(run_id, timeout=240).status == "SUCCESS"

    raw, profiles = client.asset_states([["orders", "raw"], ["customers", "profiles"]])

    assert raw.path == "orders/raw" and raw.state == "materialized"
    assert raw.materialized_by_run == run_id and raw.last_run_id == run_id and raw.last_run_status == "SUCCESS"
    assert raw.materialized_at and raw.last_run_at
    assert profiles.state == "missing" and profiles.materialized_at is None
    assert client.asset_states([]) == []


def test_daglab_asset_state_names_a_failed_last_run_and_a_stale_asset() -> None:
    failed_run = {"latestRun": {"id": "r2", "status": "FAILURE"}, "latestMaterialization": {"runId": "r1"}}
    assert derive_asset_state(["a"], "FRESH", failed_run).state == "failed"
    done = {
        "latestRun": {"id": "r1", "status": "SUCCESS"},
        "latestMaterialization": {"runId": "r1", "timestamp": "1000"},
    }
    assert derive_asset_state(["a"], "STALE", done).state == "stale"
    assert derive_asset_state(["a"], "FRESH", done).materialized_at == 1.0
    assert derive_asset_state(["a"], "MISSING", {"inProgressRunIds": ["r3"]}).state == "running"
