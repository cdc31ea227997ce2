"""Run and live-state routes: refusals without a webserver (503 naming what to start, bad keys and run ids),
then, on the live platform, the pipeline and a chosen pair of assets materialized to SUCCESS."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from data_manager.api.app import create_app
from platform_support import poll

pytestmark = pytest.mark.seconds(100)  # with the shared platform stack's start
LOCATION = "sql_sync"
OTHER_LOCATION = "sample_product_sync"
CUSTOMERS = "pyairbyte_cache/shop_customers"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def test_run_and_state_without_a_webserver_say_what_to_start(client: TestClient) -> None:
    for response in (
        client.post(f"/api/designer/locations/{LOCATION}/run"),
        client.get(f"/api/designer/locations/{LOCATION}/runs/0b7c1a2e-0000-4000-8000-000000000000"),
        client.get(f"/api/designer/locations/{LOCATION}/state"),
    ):
        assert response.status_code == 503, response.text
        [error] = response.json()["errors"]
        assert "is not running" in error["message"] and "make dev" in error["message"]
        assert "Traceback" not in response.text


def test_run_refuses_bad_asset_keys_run_ids_and_unknown_locations(client: TestClient) -> None:
    refused = client.post(f"/api/designer/locations/{LOCATION}/run", json={"assets": ["ok/key", "", "a//b"]})
    assert refused.status_code == 422
    assert [error["path"] for error in refused.json()["errors"]] == [["assets", 1], ["assets", 2]]
    bad_id = client.get(f"/api/designer/locations/{LOCATION}/runs/not..a..run")
    assert bad_id.status_code == 422 and "not a run id" in bad_id.text
    assert client.post("/api/designer/locations/nowhere/run").status_code == 404


def components_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "data_manager.cli", "components", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_run_and_state_without_a_webserver_exit_1_naming_make_dev(designer_env: dict[str, str]) -> None:
    for args in (["run", LOCATION], ["state", LOCATION]):
        result = components_cli(*args, env=designer_env)
        assert result.returncode == 1, result.stderr
        assert "is not running" in result.stderr and "make dev" in result.stderr and "Traceback" not in result.stderr
    bad = components_cli("run", LOCATION, "--asset", "a//b", env=designer_env)
    assert bad.returncode == 2 and "not an asset key" in bad.stderr


@pytest.fixture
def live_client(platform_stack, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("DAGSTER_WEBSERVER_URL", platform_stack.url)
    monkeypatch.delenv("DAGSTER_UI_URL", raising=False)
    monkeypatch.delenv("PLATFORM_API_TOKEN", raising=False)
    platform_stack.wait_until_loaded([LOCATION])
    return TestClient(create_app(token=""), raise_server_exceptions=False)


def wait_until_finished(client: TestClient, run_id: str, timeout_s: float = 300) -> dict:
    return poll(
        lambda: client.get(f"/api/designer/locations/{LOCATION}/runs/{run_id}").json(),
        lambda body: body.get("status") in FINISHED, f"run {run_id} not finished", timeout_s, interval_s=1,
    )  # fmt: skip


@pytest.mark.e2e
def test_pipeline_and_chosen_assets_run_to_success_and_show_in_the_live_state(
    live_client: TestClient, platform_stack
) -> None:
    launched = live_client.post(f"/api/designer/locations/{LOCATION}/run")
    assert launched.status_code == 201, launched.text
    run = launched.json()
    assert run["job"] == f"{LOCATION}_pipeline" and run["url"] == f"{platform_stack.url}/runs/{run['run_id']}"
    finished = wait_until_finished(live_client, run["run_id"])
    assert finished["status"] == "SUCCESS" and finished["finished"], finished
    elsewhere = live_client.get(f"/api/designer/locations/{OTHER_LOCATION}/runs/{run['run_id']}")
    assert elsewhere.status_code == 404 and f"belongs to location {LOCATION}" in elsewhere.text

    state = live_client.get(f"/api/designer/locations/{LOCATION}/state").json()
    assert state["served"] is True and state["dagster_url"] == platform_stack.url
    assert state["pipeline_job"] == f"{LOCATION}_pipeline" and f"{LOCATION}_pipeline" in state["jobs"]
    assets = {asset["key"]: asset for asset in state["assets"]}
    assert assets[CUSTOMERS]["state"] == "materialized", assets[CUSTOMERS]
    assert assets[CUSTOMERS]["status"] == "succeeded" and assets[CUSTOMERS]["why"] is None
    assert assets[CUSTOMERS]["last_run"]["run_id"] == run["run_id"]
    assert assets[CUSTOMERS]["last_materialization"]["run_id"] == run["run_id"]
    # right after the full run every asset is fresh; one still stale says why (Dagster's causes)
    assert all(asset["status"] in ("succeeded", "stale") for asset in assets.values()), assets
    assert all(asset["why"] for asset in assets.values() if asset["status"] == "stale"), assets

    chosen = [CUSTOMERS, "pyairbyte_cache/shop_products"]
    picked = live_client.post(f"/api/designer/locations/{LOCATION}/run", json={"assets": chosen})
    assert picked.status_code == 201, picked.text
    assert wait_until_finished(live_client, picked.json()["run_id"])["status"] == "SUCCESS"
    after = {
        asset["key"]: asset for asset in live_client.get(f"/api/designer/locations/{LOCATION}/state").json()["assets"]
    }
    assert {after[key]["last_run"]["run_id"] for key in chosen} == {picked.json()["run_id"]}
    # their staging models were built from the older copies: stale, and the state says why
    staging = after["staging/staging_shop_customers"]
    assert staging["status"] == "stale" and CUSTOMERS in staging["why"], staging

    cli = components_cli("state", LOCATION, "--json", env={"DAGSTER_WEBSERVER_URL": platform_stack.url})
    assert cli.returncode == 0, cli.stderr
    assert {asset["key"]: asset["last_run"]["run_id"] for asset in json.loads(cli.stdout)["assets"]}[CUSTOMERS] == (
        picked.json()["run_id"]
    )

    unknown = live_client.post(f"/api/designer/locations/{LOCATION}/run", json={"assets": ["no/such_asset"]})
    assert unknown.status_code == 422 and "no/such_asset" in unknown.json()["errors"][0]["message"]


@pytest.mark.e2e
def test_run_pipeline_finds_the_job_a_location_really_has(live_client: TestClient) -> None:
    """universal_pipelines has no `<name>_pipeline` job: its only job is the one "Run pipeline" means."""
    state = live_client.get("/api/designer/locations/universal_pipelines/state").json()
    assert state["jobs"] == ["universal_pipeline"] and state["pipeline_job"] == "universal_pipeline"
    unknown = live_client.post(
        "/api/designer/locations/universal_pipelines/run", json={"job": "universal_pipelines_pipeline"}
    )
    assert unknown.status_code == 422 and "its jobs: universal_pipeline" in unknown.json()["errors"][0]["message"]
