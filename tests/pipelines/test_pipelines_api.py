"""The pipeline routes in the platform API (real Postgres; Dagster not needed for these)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from data_manager.api.app import create_app
from data_manager.pipelines.store import PipelineStore
from pipelines.sample_documents import PRODUCTS, product_page, products_json

TEMPLATE = {
    "name": "feed",
    "extraction_strategy": "json_path",
    "strategy_config": {"records_path": "$.items[*]"},
    "fields": [{"name": "sku", "selector": "$.sku", "required": True}, {"name": "price", "field_type": "decimal", "selector": "$.price"}],
}  # fmt: skip
ENTITY = {
    "name": "prices",
    "table_name": "prices",
    "columns": [{"name": "sku", "type": "text"}, {"name": "price", "type": "decimal"}],
    "unique_fields": ["sku"],
}


@pytest.fixture
def api(store: PipelineStore, monkeypatch: pytest.MonkeyPatch, unused_port: int) -> TestClient:
    monkeypatch.setenv("DAGSTER_WEBSERVER_URL", f"http://127.0.0.1:{unused_port}")  # nothing listens there
    return TestClient(create_app(token=""))


@pytest.fixture
def unused_port() -> int:
    from data_manager.process_groups import free_port

    return free_port()


def test_crud_upload_and_register(api: TestClient, network) -> None:
    network.names["example.org"] = "93.184.215.14"  # a public address: registered, never connected to
    template = api.post("/api/templates", json=TEMPLATE)
    assert template.status_code == 201, template.text
    assert [f["name"] for f in template.json()["fields"]] == ["sku", "price"]
    entity = api.post("/api/entities", json=ENTITY).json()
    uploaded = api.post(
        "/api/artifacts",
        files={"file": ("feed.json", products_json(), "application/json")},
        data={"name": "feed"},
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["stored"] is True and uploaded.json()["size_bytes"] == len(products_json())
    registered = api.post(
        "/api/artifacts", json={"name": "page", "media_type": "text/html", "location": "https://example.org/p.html"}
    )
    assert registered.status_code == 201 and registered.json()["stored"] is False
    body = {
        "name": "prices",
        "template_id": template.json()["id"],
        "entity_id": entity["id"],
        "artifact_ids": [uploaded.json()["id"]],
    }
    pipeline = api.post("/api/pipelines", json=body)
    assert pipeline.status_code == 201, pipeline.text
    pid = pipeline.json()["id"]
    assert api.get(f"/api/pipelines/{pid}").json()["artifact_ids"] == [uploaded.json()["id"]]
    changed = api.put(f"/api/pipelines/{pid}", json={**body, "load_strategy": "upsert", "batch_size": 10})
    assert changed.json()["load_strategy"] == "upsert"
    listed = api.get("/api/pipelines").json()
    assert [(p["id"], p["last_run_status"]) for p in listed] == [(pid, None)]
    assert api.get(f"/api/pipelines/{pid}/runs").json() == []
    assert api.post("/api/pipelines", json=body).status_code == 409  # same name
    assert api.delete(f"/api/pipelines/{pid}").status_code == 204
    assert api.get(f"/api/pipelines/{pid}").json() == {"errors": [{"message": f"no pipeline with id {pid}"}]}


def test_bad_inputs_list_every_error(api: TestClient) -> None:
    bad_template = {
        "name": "",
        "extraction_strategy": "magic",
        "fields": [{"name": "Bad Name", "transforms": [{"kind": "regex_replace"}]}],
    }
    response = api.post("/api/templates", json=bad_template)
    assert response.status_code == 422
    paths = [tuple(e["path"]) for e in response.json()["errors"]]
    assert ("body", "name") in paths and ("body", "extraction_strategy") in paths
    assert ("body", "fields", 0, "name") in paths and ("body", "fields", 0, "transforms", 0) in paths
    bad_pipeline = {"name": "x", "template_id": 999, "entity_id": 998, "artifact_ids": [997]}
    refused = api.post("/api/pipelines", json=bad_pipeline)
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"message": "template_id: no template with id 999", "path": ["template_id"]},
        {"message": "entity_id: no entity with id 998", "path": ["entity_id"]},
        {"message": "artifact_ids: no artifact with id 997", "path": ["artifact_ids"]},
    ]
    assert api.post("/api/artifacts", json={"name": "x", "media_type": "text/html"}).status_code == 400
    assert (
        api.post(
            "/api/artifacts", json={"name": "x", "media_type": "text/html", "location": "relative/p.html"}
        ).status_code
        == 400
    )
    assert api.get("/api/entities/12345").status_code == 404


def test_invalid_pipeline_launch_is_400_and_launches_nothing(api: TestClient, store: PipelineStore) -> None:
    template = api.post(
        "/api/templates", json={**TEMPLATE, "fields": [{"name": "colour", "selector": "$.colour"}]}
    ).json()
    entity = api.post("/api/entities", json=ENTITY).json()
    pipeline = api.post(
        "/api/pipelines", json={"name": "p", "template_id": template["id"], "entity_id": entity["id"]}
    ).json()
    response = api.post(f"/api/pipelines/{pipeline['id']}/runs")
    assert response.status_code == 400
    assert [e["message"] for e in response.json()["errors"]] == [
        "artifact_ids: the pipeline has no artifacts",
        "fields.colour: entity prices has no column colour",
    ]
    assert [e["path"] for e in response.json()["errors"]] == [["artifact_ids"], ["fields", "colour"]]
    assert store.list_runs(pipeline["id"]) == []


def test_launch_without_dagster_is_503(api: TestClient, store: PipelineStore) -> None:
    template = api.post("/api/templates", json=TEMPLATE).json()
    entity = api.post("/api/entities", json=ENTITY).json()
    artifact = api.post("/api/artifacts", files={"file": ("p.html", product_page(PRODUCTS[0]), "text/html")}).json()
    body = {"name": "p", "template_id": template["id"], "entity_id": entity["id"], "artifact_ids": [artifact["id"]]}
    pipeline = api.post("/api/pipelines", json=body).json()
    response = api.post(f"/api/pipelines/{pipeline['id']}/runs")
    assert response.status_code == 503
    assert response.json()["errors"][0]["message"].startswith("Dagster webserver unreachable")
    assert store.list_runs(pipeline["id"]) == []


def test_pipeline_list_shows_the_newest_run(api: TestClient, store: PipelineStore) -> None:
    template = api.post("/api/templates", json=TEMPLATE).json()
    entity = api.post("/api/entities", json=ENTITY).json()
    pid = api.post(
        "/api/pipelines", json={"name": "p", "template_id": template["id"], "entity_id": entity["id"]}
    ).json()["id"]
    store.record_run(pid, "run-old", "FAILURE")
    store.record_run(pid, "run-new", "SUCCESS")
    [listed] = api.get("/api/pipelines").json()
    assert (listed["last_run_id"], listed["last_run_status"]) == ("run-new", "SUCCESS")
