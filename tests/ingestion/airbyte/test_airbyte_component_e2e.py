"""AirbyteSyncComponent: loaded from a location's `defs/` folder (the documented pattern) and materialized in-process."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from data_manager.process_groups import free_port
from data_manager.settings import PostgresSettings
from ingestion.airbyte.loopback import LoopbackServer

pytestmark = pytest.mark.e2e

EXAMPLE_LOCATION = Path(__file__).parent / "fixtures" / "example_location"
ITEMS_KEY = dg.AssetKey(["pyairbyte_cache", "sample_api_items"])


def load_example_location(monkeypatch: pytest.MonkeyPatch) -> dg.Definitions:
    monkeypatch.syspath_prepend(str(EXAMPLE_LOCATION))
    for name in [m for m in sys.modules if m.startswith("airbyte_example_location")]:
        del sys.modules[name]
    module = importlib.import_module("airbyte_example_location")
    return module.definitions()


def step_failure_text(result: dg.ExecuteInProcessResult) -> str:
    texts = []
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            texts.append(data.user_failure_data.description if data.user_failure_data else data.error.message)
    return "\n".join(texts)


def test_airbyte_component_materializes_stream_assets(
    pg_env: PostgresSettings, connectors_dir: Path, sample_api_env: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    defs = load_example_location(monkeypatch)
    specs = {spec.key: spec for spec in defs.resolve_all_asset_specs()}
    assert ITEMS_KEY in specs
    spec = specs[ITEMS_KEY]
    assert spec.group_name == "sample_api"
    assert {dep.asset_key for dep in spec.deps} == {dg.AssetKey(["upstream", "sample_api_ready"])}
    assert spec.metadata["table"] == "sample_api_items" and spec.metadata["schema"] == "pyairbyte_cache"

    result = dg.materialize(defs.assets, selection=[ITEMS_KEY])
    assert result.success
    [materialization] = result.asset_materializations_for_node("airbyte_sync_sample_api")
    assert materialization.asset_key == ITEMS_KEY
    metadata = materialization.metadata
    assert metadata["rows"].value == 7
    assert metadata["table"].value == "sample_api_items"
    assert metadata["schema"].value == "pyairbyte_cache"
    assert metadata["duration_s"].value > 0
    with psycopg.connect(**pg_env.connect_kwargs()) as conn:
        assert conn.execute("SELECT count(*) FROM pyairbyte_cache.sample_api_items").fetchone() == (7,)


def test_airbyte_component_failed_sync_fails_the_asset(
    pg_env: PostgresSettings, connectors_dir: Path, sample_api_env: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_SAMPLE_API_URL", f"http://127.0.0.1:{free_port()}")
    defs = load_example_location(monkeypatch)
    result = dg.materialize(defs.assets, selection=[ITEMS_KEY], raise_on_error=False)
    assert not result.success
    text = step_failure_text(result)
    assert "airbyte sync of sample-api failed: check failed" in text
    assert "Connection refused" in text or "ConnectionError" in text


def test_airbyte_component_unknown_connector_fails_at_load(
    connectors_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (connectors_dir / "sample-api.yaml").rename(connectors_dir / "renamed.yaml")
    with pytest.raises(Exception) as info:
        load_example_location(monkeypatch)
    chain, error = [], info.value
    while error is not None:
        chain.append(str(error))
        error = error.__cause__
    assert any("unknown connector 'sample-api'" in text for text in chain), chain


def test_airbyte_cli_sync_json_and_bad_input(
    pg_env: PostgresSettings, connectors_dir: Path, sample_api_env: LoopbackServer
) -> None:
    cli = Path(sys.executable).parent / "data-manager"
    env = dict(os.environ)
    done = subprocess.run(
        [cli, "sync", "airbyte", "sample-api", "--streams", "items", "--full-refresh", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)  # stdout is only the JSON summary
    assert summary["status"] == "success" and summary["rows_per_table"] == {"pyairbyte_cache.sample_api_items": 7}
    assert summary["target_schema"] == "pyairbyte_cache" and summary["tables"][0]["source_table"] == "items"
    assert "sample-api: synced 7 records" in done.stderr

    for args, expected in [
        (["source-nope"], "error: unknown connector 'source-nope'"),
        (["sample-api", "--streams", ","], "error: --streams is empty"),
        (["sample-api", "--cache", "mars"], "error: unknown cache 'mars'"),
    ]:
        bad = subprocess.run(
            [cli, "sync", "airbyte", *args], capture_output=True, text=True, env=env, timeout=120, check=False
        )
        assert bad.returncode == 2, bad.stderr
        assert bad.stderr.strip().splitlines() == [bad.stderr.strip()] and bad.stderr.startswith(expected)
        assert bad.stdout == ""
