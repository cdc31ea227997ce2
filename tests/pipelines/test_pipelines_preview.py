"""Preview and page images through the API (real Postgres, no Dagster): the contract the template editor uses."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from data_manager.api.app import create_app
from data_manager.pipelines.store import PipelineStore
from pipelines.report_corpus import FIELDS, rowspan_html, shipments_register

TEMPLATE = {"name": "register", "extraction_strategy": "table_detection", "fields": FIELDS}


@pytest.fixture(scope="module")
def report():
    return shipments_register(pages=6, scanned=None, rotated=4)


@pytest.fixture
def api(store: PipelineStore) -> TestClient:
    return TestClient(create_app(token=""))


def upload(api: TestClient, name: str, data: bytes, media_type: str) -> int:
    response = api.post("/api/artifacts", files={"file": (name, data, media_type)})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_preview_of_a_saved_and_an_unsaved_template(api: TestClient, report) -> None:
    artifact = upload(api, "register.pdf", report.pdf, "application/pdf")
    template = api.post("/api/templates", json={**TEMPLATE, "expect": {"every_page": True}}).json()
    assert template["expect"] == {"min_records": None, "every_page": True} and template["enabled"] is True
    saved = api.post(f"/api/templates/{template['id']}/preview", json={"artifact_id": artifact, "limit": 3})
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["record_count"] == len(report.rows) and len(body["records"]) == 3
    first = body["records"][0]
    assert first["values"] == {"reference": "SR-16-0001", "ship_date": "2016-01-04", "customer": report.rows[0]["customer"],
                               "quantity": report.rows[0]["quantity"], "amount": str(report.rows[0]["amount"])}  # fmt: skip
    assert (first["errors"], first["page"], first["table_index"], first["row_index"]) == ({}, 1, 0, 2)
    # the record's row, as the page image marks it: inside its table, below the header
    table_box = body["tables"][0]["bbox"]
    assert table_box[0] == first["box"][0] and table_box[1] < first["box"][1] < first["box"][3] < table_box[3]
    assert [t["page"] for t in body["tables"]] == [1, 2, 3, 4, 5, 5, 6]
    assert body["tables"][0]["bbox"] == [40.0, 190.0, 555.0, pytest.approx(body["tables"][0]["bbox"][3])]
    assert body["tables"][0]["header"][0] == "shipment reference" and body["tables"][1]["stitched_to"] == 0
    summary = body["tables"][5]
    assert (summary["used"], summary["row_count"]) == (False, 6) and "no header with the columns" in summary["reason"]
    assert [p["number"] for p in body["pages"]] == list(range(1, 7)) and body["pages"][0]["width"] == 595.0
    assert body["counts"] | {"skipped_by_kind": None} == {
        "tables_found": 7, "tables_used": 5, "tables_skipped": 2, "rows_found": len(report.rows) + 2 + 10,
        "header_rows": 2, "rows_used": len(report.rows), "rows_skipped": 10, "records": len(report.rows),
        "records_failed": 0, "skipped_by_kind": None,
    }  # fmt: skip
    assert [(s["page"], s["table_index"], s["rows"]) for s in body["skipped"]] == [(5, 5, 6), (6, 6, 4)]
    assert body["problems"] == ["register.pdf: no records from page(s) 6 (the template expects every page)"]
    assert isinstance(body["elapsed_ms"], int)

    unsaved = {**TEMPLATE, "name": "draft", "fields": [*FIELDS[:1], {"name": "qty", "field_type": "date", "selector": "Quantity (units)"}]}  # fmt: skip
    draft = api.post("/api/templates/preview", json={"template": unsaved, "artifact_id": artifact, "limit": 1}).json()
    assert draft["record_count"] == len(report.rows) and draft["counts"]["records_failed"] == len(report.rows)
    assert draft["records"][0]["errors"] == {"qty": "field qty: '2,738' is not a valid date"}
    assert draft["records"][0]["raw"] == {"reference": "SR-16-0001", "qty": "2,738"}
    assert [t["name"] for t in api.get("/api/templates").json()] == ["register"]  # the draft was not saved


def test_preview_refuses_an_invalid_template_with_every_problem_and_an_unknown_artifact(api: TestClient) -> None:
    bad = {"name": "bad", "extraction_strategy": "dom_selection", "strategy_config": {"record_selector": "tr[[["},
           "fields": [{"name": "a", "selector": "tr[[["}, {"name": "b", "selector": ""}]}  # fmt: skip
    for response in (
        api.post("/api/templates/preview", json={"template": bad, "artifact_id": 1}),
        api.post("/api/templates", json=bad),
    ):
        assert response.status_code == 422
        assert [e["path"] for e in response.json()["errors"]] == [
            ["strategy_config", "record_selector"], ["fields", "a", "selector"], ["fields", "b", "selector"],
        ]  # fmt: skip
    template = api.post("/api/templates", json=TEMPLATE).json()
    missing = api.post(f"/api/templates/{template['id']}/preview", json={"artifact_id": 999})
    assert missing.status_code == 404 and missing.json()["errors"][0]["message"] == "no artifact with id 999"
    assert api.post("/api/templates/998/preview", json={"artifact_id": 1}).status_code == 404
    not_pdf = upload(api, "page.html", b"<p>no table</p>", "text/html")
    empty = api.post(f"/api/templates/{template['id']}/preview", json={"artifact_id": not_pdf}).json()
    assert (empty["record_count"], empty["tables"], empty["problems"]) == (0, [], ["page.html: no records found"])
    garbage = upload(api, "broken.pdf", b"%PDF-1.4 nothing", "application/pdf")
    broken = api.post(f"/api/templates/{template['id']}/preview", json={"artifact_id": garbage})
    assert broken.status_code == 422 and "broken.pdf: not a readable PDF" in broken.json()["errors"][0]["message"]


def test_page_images_of_a_pdf_artifact(api: TestClient, report) -> None:
    artifact = upload(api, "register.pdf", report.pdf, "application/pdf")
    page = api.get(f"/api/artifacts/{artifact}/pages/4.png?scale=0.5")  # the page stored sideways shows upright
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(page.content)).size == (298, 421)
    missing = api.get(f"/api/artifacts/{artifact}/pages/7.png")
    assert (missing.status_code, missing.json()["errors"][0]["message"]) == (
        404, f"artifact {artifact} (register.pdf) has 6 page(s): there is no page 7"
    )  # fmt: skip
    html = upload(api, "t.html", rowspan_html()[0], "text/html")
    refused = api.get(f"/api/artifacts/{html}/pages/1.png")
    assert refused.status_code == 422 and "is text/html, not a PDF" in refused.json()["errors"][0]["message"]
    assert api.get(f"/api/artifacts/{artifact}/pages/1.png?scale=9").status_code == 422


def test_artifacts_renamed_and_refused_deletion_while_a_pipeline_uses_them(api: TestClient) -> None:
    artifact = upload(api, "a.html", rowspan_html()[0], "text/html")
    renamed = api.put(f"/api/artifacts/{artifact}", json={"name": "regions.html", "media_type": "text/html"})
    assert renamed.json()["name"] == "regions.html" and renamed.json()["sha256"]
    template = api.post(
        "/api/templates", json={**TEMPLATE, "fields": [{"name": "region", "selector": "Region"}]}
    ).json()
    entity = api.post("/api/entities", json={"name": "r", "table_name": "r", "columns": [{"name": "region", "type": "text"}]}).json()  # fmt: skip
    pipeline = api.post("/api/pipelines", json={"name": "p", "template_id": template["id"], "entity_id": entity["id"],
                                                "artifact_ids": [artifact]}).json()  # fmt: skip
    refused = api.delete(f"/api/artifacts/{artifact}")
    assert (
        refused.status_code == 409
        and f"used by pipeline {pipeline['id']} (p)" in refused.json()["errors"][0]["message"]
    )
    disabled = api.put(f"/api/templates/{template['id']}", json={**TEMPLATE, "fields": [{"name": "region", "selector": "Region"}],
                                                                   "enabled": False})  # fmt: skip
    assert disabled.json()["enabled"] is False
    preview = api.post(f"/api/templates/{template['id']}/preview", json={"artifact_id": artifact}).json()
    assert [r["values"]["region"] for r in preview["records"]] == ["North", "North", "North", "South"]
