"""The designer's Pipelines page in headless Chromium against the live platform (API, Dagster, universal_pipelines).

The steps (pipelines_steps.mjs): open it from the designer with the keyboard, upload an artifact, a refused and
an accepted path, a bad batch size and a missing template shown on their fields, create a pipeline, launch it
(keyboard) to SUCCESS with its log lines, the list's last-run status, a launch the API refuses (no artifacts)
with its reason, labels and keyboard. One screenshot per step in the test's output folder; a console error
fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from designer.test_designer_browser import STEPS, _require_tools
from pipelines.sample_documents import PRODUCTS, products_json

PIPELINES_STEPS = STEPS.with_name("pipelines_steps.mjs")
pytestmark = pytest.mark.e2e


def _wait_for_api(url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(f"{url}/designer/", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the platform API at {url} did not serve /designer/ within {timeout_s:.0f} s")
        time.sleep(0.5)


def _records(url: str, suffix: str) -> dict[str, int | str]:
    """The template and entity the page builds on, and a pipeline the API will refuse to launch (no artifacts)."""
    template = {
        "name": f"product feed {suffix}",
        "extraction_strategy": "json_path",
        "strategy_config": {"records_path": "$.items[*]"},
        "fields": [
            {"name": "sku", "selector": "$.sku", "required": True},
            {"name": "name", "selector": "$.name"},
            {"name": "price", "field_type": "decimal", "selector": "$.price"},
        ],
    }
    entity = {
        "name": f"products {suffix}",
        "table_name": f"ui_products_{suffix}",
        "columns": [
            {"name": "sku", "type": "text"},
            {"name": "name", "type": "text"},
            {"name": "price", "type": "decimal"},
        ],
        "unique_fields": ["sku"],
    }
    with httpx.Client(base_url=url, timeout=60) as client:
        template_id = client.post("/api/templates", json=template).raise_for_status().json()["id"]
        entity_id = client.post("/api/entities", json=entity).raise_for_status().json()["id"]
        idle = {"name": f"idle {suffix}", "template_id": template_id, "entity_id": entity_id}
        client.post("/api/pipelines", json=idle).raise_for_status()
    return {
        "templateId": template_id,
        "entityId": entity_id,
        "idlePipeline": idle["name"],
        "table": entity["table_name"],
    }


def test_pipelines_page_in_a_real_browser(platform_stack, tmp_path: Path) -> None:
    _require_tools()
    platform_stack.wait_until_loaded(["universal_pipelines"])
    url = f"http://127.0.0.1:{platform_stack.env['PLATFORM_API_PORT']}"
    _wait_for_api(url)
    suffix = str(os.getpid())
    records = _records(url, suffix)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    (tmp_path / "upload.json").write_bytes(products_json())
    (tmp_path / "on_disk.json").write_bytes(products_json())
    config = {
        **records,
        "apiUrl": url,
        "outDir": str(shots),
        "pipelineName": f"ui pipeline {suffix}",
        "uploadFile": str(tmp_path / "upload.json"),
        "pathFile": str(tmp_path / "on_disk.json"),
    }
    (tmp_path / "config.json").write_text(json.dumps(config))

    run = subprocess.run(
        ["node", str(PIPELINES_STEPS), str(tmp_path / "config.json")], capture_output=True, text=True, timeout=900
    )
    print(f"screenshots: {shots}")
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0 and lines, f"browser steps failed:\n{run.stderr[-4000:]}\n{run.stdout[-2000:]}"
    report = json.loads(lines[-1])
    steps = {step["name"]: step for step in report["steps"]}

    assert steps["open-from-the-designer"]["url"].endswith("/designer/#/pipelines")
    assert "neither an absolute path nor an http(s) URL" in steps["register-path-refused"]["fieldError"]
    assert steps["bad-input-on-its-field"]["batchSizeError"] == "Must be at least 1."
    assert steps["bad-input-on-its-field"]["templateError"] == "Choose one."
    assert steps["create-pipeline"]["invalidAfter"] == 0
    launched = steps["launch-to-success"]
    assert launched["status"] == "SUCCESS" and len(launched["lines"]) >= 5
    assert any(f"records into entities.{records['table']}" in line for line in launched["lines"])
    assert "SUCCESS" in steps["list-shows-last-run"]["cells"]
    assert steps["launch-refused"]["errors"] == ["Artifacts: The pipeline has no artifacts."]
    assert len(report["screenshots"]) == len(report["steps"]) and all(Path(p).is_file() for p in report["screenshots"])

    with psycopg.connect(**platform_stack.pg.connect_kwargs()) as conn:
        run_row = conn.execute(
            "SELECT status FROM universal_pipelines.pipeline_runs WHERE dagster_run_id = %s", (launched["runId"],)
        ).fetchone()
        rows = conn.execute(f"SELECT sku, name FROM entities.ui_products_{suffix} ORDER BY sku").fetchall()
    assert run_row == ("SUCCESS",)
    assert rows == [(p["sku"], p["name"]) for p in PRODUCTS]  # two artifacts, the same records: upserted once
