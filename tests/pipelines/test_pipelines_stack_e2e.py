"""Universal pipelines on the live platform: API launch -> SUCCESS -> pipeline_runs and entity rows;
a run launched over GraphQL directly still gets its pipeline_runs row, from the sensor.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import psycopg
import pytest
from fastapi.testclient import TestClient

from data_manager.api.app import create_app
from data_manager.pipelines import runs
from data_manager.pipelines.runs import build_run_config
from data_manager.pipelines.store import PipelineStore
from pipelines.sample_documents import PRODUCTS, invoice_pdf
from platform_support import poll
from stack import REPO_ROOT

FINISHED = ("SUCCESS", "FAILURE", "CANCELED")

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(85)]

TEMPLATE = {
    "name": "invoice table",
    "extraction_strategy": "table_detection",
    "fields": [
        {"name": "sku", "selector": "SKU", "required": True},
        {"name": "name", "selector": "Product name"},
        {"name": "stock", "field_type": "integer", "selector": "Stock"},
    ],
}
ENTITY = {
    "name": "stock levels",
    "table_name": "stock_levels",
    "columns": [
        {"name": "sku", "type": "text"},
        {"name": "name", "type": "text"},
        {"name": "stock", "type": "integer"},
    ],
    "unique_fields": ["sku"],
}


@pytest.fixture
def api(platform_stack, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    for name, value in platform_stack.env.items():
        if name.startswith(("POSTGRES_", "ARTIFACT_")) or name == "DAGSTER_POSTGRES_DB":
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("DAGSTER_WEBSERVER_URL", platform_stack.url)
    platform_stack.wait_until_loaded(["universal_pipelines"])
    return TestClient(create_app(token=""))


def wait_for_row(api: TestClient, pipeline_id: int, run_id: str, timeout_s: float = 180) -> dict:
    """The run as the API shows it, once the sensor has copied its end state and counts."""
    return poll(
        lambda: api.get(f"/api/pipelines/{pipeline_id}/runs/{run_id}").json(),
        lambda body: body.get("status") in FINISHED and body.get("records_extracted") is not None,
        f"run {run_id} not synced", timeout_s, interval_s=1,
    )  # fmt: skip


def test_api_launch_to_success_and_graphql_launch_synced_by_sensor(api: TestClient, platform_stack) -> None:
    created = api.post("/api/templates", json=TEMPLATE)
    assert created.status_code == 201, created.text
    template = created.json()
    entity = api.post("/api/entities", json=ENTITY).json()
    artifact = api.post("/api/artifacts", files={"file": ("invoice.pdf", invoice_pdf(), "application/pdf")}).json()
    body = {"name": "stock", "template_id": template["id"], "entity_id": entity["id"], "artifact_ids": [artifact["id"]],
            "load_strategy": "upsert"}  # fmt: skip
    pipeline_id = api.post("/api/pipelines", json=body).json()["id"]

    launched = api.post(f"/api/pipelines/{pipeline_id}/runs")
    assert launched.status_code == 201, launched.text
    run_id = launched.json()["run_id"]
    run = wait_for_row(api, pipeline_id, run_id)
    assert (run["status"], run["records_extracted"], run["records_loaded"], run["records_failed"]) == (
        "SUCCESS",
        3,
        3,
        0,
    )
    assert run["started_at"] and run["completed_at"]
    with psycopg.connect(**platform_stack.pg.connect_kwargs()) as conn:
        rows = conn.execute("SELECT sku, name, stock FROM entities.stock_levels ORDER BY sku").fetchall()
    assert rows == [(p["sku"], p["name"], int(p["stock"])) for p in PRODUCTS]

    page = api.get(f"/api/pipelines/{pipeline_id}/runs/{run_id}/logs").json()
    assert any("loaded 3 records into entities.stock_levels" in e["message"] for e in page["events"])
    with api.stream("GET", f"/api/pipelines/{pipeline_id}/runs/{run_id}/logs?follow=true") as stream:
        text = "".join(stream.iter_text())
    assert 'event: end\ndata: {"status": "SUCCESS"}' in text
    ids = [line.removeprefix("id: ") for line in text.splitlines() if line.startswith("id: ")]
    half = len(ids) // 2
    headers = {"Last-Event-ID": ids[half]}  # a reconnect: the events after it, none twice
    with api.stream("GET", f"/api/pipelines/{pipeline_id}/runs/{run_id}/logs?follow=true", headers=headers) as stream:
        resumed = "".join(stream.iter_text())
    assert [line.removeprefix("id: ") for line in resumed.splitlines() if line.startswith("id: ")] == ids[half + 1 :]

    cli = subprocess.run(
        [sys.executable, "-m", "data_manager.cli", "pipelines", "status", run_id, "--json"],
        capture_output=True, text=True, cwd=REPO_ROOT, env={**platform_stack.env, "DAGSTER_WEBSERVER_URL": platform_stack.url},
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["records_loaded"] == 3

    store = PipelineStore(platform_stack.pg)
    direct = platform_stack.launch_job(
        "universal_pipelines", "universal_pipeline", run_config=build_run_config(store, store.get_pipeline(pipeline_id))
    )
    assert platform_stack.wait_for_run(direct) == "SUCCESS"
    synced = wait_for_row(api, pipeline_id, direct)
    assert (synced["status"], synced["records_loaded"]) == ("SUCCESS", 3)
    assert [r["dagster_run_id"] for r in api.get(f"/api/pipelines/{pipeline_id}/runs").json()] == [direct, run_id]


def wait_for_status(api: TestClient, pipeline_id: int, run_id: str, wanted: set[str], timeout_s: float = 180) -> dict:
    return poll(
        lambda: api.get(f"/api/pipelines/{pipeline_id}/runs/{run_id}").json(),
        lambda body: body.get("status") in wanted, f"run {run_id} never reached {sorted(wanted)}", timeout_s,
    )  # fmt: skip


def test_cancel_a_running_run_over_the_api(api: TestClient) -> None:
    """An artifact URL that never answers keeps the run busy; cancel ends it CANCELED, and a second cancel is 409."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts connections (backlog), never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/feed.json"
        template = api.post(
            "/api/templates",
            json={
                "name": "cancel probe",
                "extraction_strategy": "json_path",
                "fields": [{"name": "sku", "selector": "$.sku"}],
            },
        ).json()
        entity = api.post(
            "/api/entities",
            json={"name": "cancel probe", "table_name": "cancel_probe", "columns": [{"name": "sku", "type": "text"}]},
        ).json()
        artifact = api.post(
            "/api/artifacts", json={"name": "silent", "media_type": "application/json", "location": url}
        ).json()
        body = {
            "name": "cancel probe",
            "template_id": template["id"],
            "entity_id": entity["id"],
            "artifact_ids": [artifact["id"]],
        }
        pipeline_id = api.post("/api/pipelines", json=body).json()["id"]
        run_id = api.post(f"/api/pipelines/{pipeline_id}/runs").json()["run_id"]
        wait_for_status(api, pipeline_id, run_id, {"STARTED"})
        canceled = api.post(f"/api/pipelines/{pipeline_id}/runs/{run_id}/cancel")
        assert canceled.status_code == 200, canceled.text
        assert canceled.json()["status"] in ("CANCELING", "CANCELED")
        assert wait_for_status(api, pipeline_id, run_id, {"CANCELED", "FAILURE", "SUCCESS"})["status"] == "CANCELED"
    again = api.post(f"/api/pipelines/{pipeline_id}/runs/{run_id}/cancel")
    assert again.status_code == 409 and "already ended with CANCELED" in again.json()["errors"][0]["message"]


REGISTER_ENTITY = {
    "name": "shipments",
    "table_name": "shipments",
    "columns": [
        {"name": "reference", "type": "text", "nullable": False},
        {"name": "ship_date", "type": "date"},
        {"name": "customer", "type": "text"},
        {"name": "quantity", "type": "integer"},
        {"name": "amount", "type": "decimal"},
    ],
    "unique_fields": ["reference"],
}


def test_a_20_page_report_loads_every_row_and_its_counts_come_with_the_status(api: TestClient, platform_stack) -> None:
    """The issue's document, uploaded and run on the live platform: every row loaded once, exact, and the
    first response that says the run ended already holds its counts (no wait for the sensor)."""
    from pipelines.report_corpus import FIELDS, shipments_register

    report = shipments_register()
    artifact = api.post("/api/artifacts", files={"file": ("register.pdf", report.pdf, "application/pdf")}).json()
    template = api.post("/api/templates", json={"name": "register", "extraction_strategy": "table_detection",
                                                "fields": FIELDS, "expect": {"min_records": 100}}).json()  # fmt: skip
    entity = api.post("/api/entities", json=REGISTER_ENTITY).json()
    body = {"name": "register", "template_id": template["id"], "entity_id": entity["id"], "artifact_ids": [artifact["id"]],
            "failure_policy": "continue"}  # fmt: skip
    pipeline_id = api.post("/api/pipelines", json=body).json()["id"]
    run_id = api.post(f"/api/pipelines/{pipeline_id}/runs").json()["run_id"]
    run = wait_for_status(api, pipeline_id, run_id, set(FINISHED), timeout_s=600)
    assert run["status"] == "SUCCESS", run
    assert (run["records_extracted"], run["records_loaded"], run["records_failed"]) == (583, 583, 0)
    counts = run["counts"]
    assert (counts["tables_found"], counts["tables_used"], counts["tables_skipped"]) == (21, 19, 2)
    assert (counts["rows_used"], counts["rows_skipped"]) == (583, 10)
    assert counts["skipped_by_kind"] == {"table without the fields' columns": 10}
    with psycopg.connect(**platform_stack.pg.connect_kwargs()) as conn:
        rows = conn.execute(
            "SELECT reference, ship_date, customer, quantity, amount FROM entities.shipments ORDER BY reference"
        ).fetchall()
    assert [dict(zip(FIELDS_ORDER, row, strict=True)) for row in rows] == report.rows


FIELDS_ORDER = ("reference", "ship_date", "customer", "quantity", "amount")


def test_many_artifacts_run_in_parallel_chunks_with_progress(api: TestClient, platform_stack) -> None:
    """120 documents: chunks on the multiprocess executor (one step each), live progress, the CLI's --wait."""
    from data_manager.pipelines.models import ArtifactIn

    store = PipelineStore(platform_stack.pg)
    ids = [
        store.create_artifact(ArtifactIn(name=f"{n}.json", media_type="application/json"), json.dumps({"sku": f"P-{n:03d}"}).encode()).id
        for n in range(120)
    ]  # fmt: skip
    template = api.post("/api/templates", json={"name": "many", "extraction_strategy": "json_path",
                                                "fields": [{"name": "sku", "selector": "$.sku", "required": True}]}).json()  # fmt: skip
    entity = api.post("/api/entities", json={"name": "many", "table_name": "many_docs", "columns": [{"name": "sku", "type": "text"}]}).json()  # fmt: skip
    body = {"name": "many", "template_id": template["id"], "entity_id": entity["id"], "artifact_ids": ids}
    pipeline_id = api.post("/api/pipelines", json=body).json()["id"]
    cli = subprocess.run(
        [sys.executable, "-m", "data_manager.cli", "pipelines", "launch", str(pipeline_id), "--wait", "--timeout", "600"],
        capture_output=True, text=True, cwd=REPO_ROOT, env={**platform_stack.env, "DAGSTER_WEBSERVER_URL": platform_stack.url},
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert "extracted=120 loaded=120 failed=0" in cli.stdout
    assert "artifact 120 of 120, 120 records" in cli.stderr  # progress lines while it ran
    run_id = cli.stdout.split()[0]
    run = api.get(f"/api/pipelines/{pipeline_id}/runs/{run_id}").json()
    assert run["progress"]["artifacts_total"] == 120 and run["progress"]["chunks_total"] > 1
    with runs.client(platform_stack.url) as dagster:
        steps = {step.key for step in dagster.run(run_id).steps}
    assert len([key for key in steps if key.startswith("extract_chunk[")]) == run["progress"]["chunks_total"]
    with psycopg.connect(**platform_stack.pg.connect_kwargs()) as conn:
        assert conn.execute("SELECT count(DISTINCT sku) FROM entities.many_docs").fetchone()[0] == 120


def test_a_failed_run_has_its_error_and_counts_in_the_first_answer_that_says_so(api: TestClient, tmp_path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"sku": "OK-1"}))
    template = api.post("/api/templates", json={"name": "fails", "extraction_strategy": "json_path",
                                                "fields": [{"name": "sku", "selector": "$.sku", "required": True}]}).json()  # fmt: skip
    entity = api.post("/api/entities", json={"name": "fails", "table_name": "fails", "columns": [{"name": "sku", "type": "text"}]}).json()  # fmt: skip
    artifacts = [
        api.post("/api/artifacts", json={"name": name, "media_type": "application/json", "location": str(path)}).json()["id"]
        for name, path in (("good.json", good), ("gone.json", tmp_path / "gone.json"))
    ]  # fmt: skip
    body = {"name": "fails", "template_id": template["id"], "entity_id": entity["id"], "artifact_ids": artifacts}
    pipeline_id = api.post("/api/pipelines", json=body).json()["id"]
    run_id = api.post(f"/api/pipelines/{pipeline_id}/runs").json()["run_id"]
    run = wait_for_status(api, pipeline_id, run_id, set(FINISHED))
    assert run["status"] == "FAILURE"
    assert run["error"] == (
        f"extract_chunk[chunk_0]: artifact {artifacts[1]} (gone.json): gone.json: file {tmp_path / 'gone.json'} does not exist"
    )
    assert (run["records_extracted"], run["records_failed"], run["records_loaded"]) == (1, 1, 0)
