"""The designer's Pipelines page in headless Chromium against the live platform (API, Dagster, universal_pipelines).

The steps (pipelines_steps.mjs): open it from the designer with the keyboard; create an entity (a refused column
name on its row first) and edit it; upload a three-page report PDF (reportlab: a table whose header is on page 1
only, continued on page 2, a summary table on page 3); build a template in the editor and see its live preview
(the page image with the tables outlined, used or skipped with the reason, the used rows marked where they are
printed, the records), other pages, a changed selector changing the records, an invalid selector refused on its
field; leaving the unsaved template by a link or the back button asks ("stay" keeps it), as closing a second tab
with an unsaved entity does (beforeunload); save it; upload an artifact, a refused and an accepted path, an unsaved artifact edit and registration asking before
they are left (another artifact's Edit, a link, the back button), an artifact disabled before a launch and the run
panel saying the run skipped it, a bad
batch size and a missing template shown on their fields, create a pipeline, launch it (keyboard) to SUCCESS with
its log lines, the list's last-run status, a launch the API refuses (no artifacts); a pipeline of the report run
with its counts, edited, disabled (launch refused), deleted; the template, entity and PDF deleted; labels and
keyboard. One screenshot per step in the test's output folder; a console error or uncaught exception fails the test.
"""

from __future__ import annotations

import datetime
import io
import itertools
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
UNSAVED_ARTIFACT = "Leave without saving? The unsaved changes to {} will be lost."
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


REGIONS = ["North", "South", "East", "West"]
# the report's columns: the entity's column and type, the template field's type, the header it is read by
REPORT_FIELDS = [
    ("day", "date", "date", "Date"),
    ("region", "text", "string", "Region"),
    ("units", "integer", "integer", "Units"),
    ("amount", "decimal", "decimal", "Amount"),
]
REPORT_ROWS = 70


def _report_rows() -> list[list[str]]:
    start = datetime.date(2024, 1, 1)
    return [
        [(start + datetime.timedelta(days=i)).isoformat(), REGIONS[i % 4], str(i + 1), f"{(i + 1) * 10 + 0.5:.2f}"]
        for i in range(REPORT_ROWS)
    ]


def _report_pdf() -> bytes:
    """A report as they come: the sales table's header on page 1 only, its rows running on to page 2, a summary
    table after it on page 3, page numbers in the footer (reportlab)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)])
    rows = _report_rows()
    sales = Table([[header for *_, header in REPORT_FIELDS], *rows], repeatRows=0)
    sales.setStyle(grid)
    totals = {region: sum(float(row[3]) for row in rows if row[1] == region) for region in REGIONS}
    summary = Table([["Region", "Total"], *[[region, f"{total:.2f}"] for region, total in totals.items()]])
    summary.setStyle(grid)

    def footer(canvas, doc) -> None:
        canvas.drawString(280, 20, f"Page {doc.page}")

    styles = getSampleStyleSheet()
    story = [
        Paragraph("Monthly sales report", styles["Title"]),
        sales,
        Spacer(1, 24),
        Paragraph("Summary", styles["Heading2"]),
        summary,
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _report_config(tmp_path: Path, suffix: str) -> dict[str, object]:
    """What the browser builds for the report: its entity, template (one field per column) and pipeline."""
    pdf = tmp_path / "sales_report.pdf"
    pdf.write_bytes(_report_pdf())
    return {
        "pdf": str(pdf),
        "artifactName": f"sales report {suffix}.pdf",
        "entityName": f"ui sales {suffix}",
        "table": f"ui_sales_{suffix}",
        "columns": [{"name": name, "type": column} for name, column, _, _ in REPORT_FIELDS],
        "templateName": f"ui sales report {suffix}",
        "fields": [{"name": name, "type": field, "selector": header} for name, _, field, header in REPORT_FIELDS],
        # the region field read from the Date column instead: the first record's region becomes its date
        "changed": {"field": "region", "selector": "Date", "firstValue": _report_rows()[0][0]},
        "pipelineName": f"ui sales pipeline {suffix}",
    }


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
        "report": _report_config(tmp_path, suffix),
    }
    (tmp_path / "config.json").write_text(json.dumps(config))

    run = subprocess.run(
        ["node", str(PIPELINES_STEPS), str(tmp_path / "config.json")], capture_output=True, text=True, timeout=900
    )
    print(f"screenshots: {shots}")
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0 and lines, f"browser steps failed:\n{run.stderr[-4000:]}\n{run.stdout[-2000:]}"
    report = json.loads(lines[-1])
    (tmp_path / "steps.json").write_text(json.dumps(report, indent=1))  # what each step saw, beside the screenshots
    steps = {step["name"]: step for step in report["steps"]}

    assert steps["open-from-the-designer"]["url"].endswith("/designer/#/pipelines")
    _assert_records_steps(steps, config["report"])
    _assert_preview_steps(steps, config["report"])
    assert "neither an absolute path nor an http(s) URL" in steps["register-path-refused"]["fieldError"]
    assert steps["edit-artifact"]["refused"] == "Must not be empty."
    assert steps["edit-artifact"]["cells"][:3] == ["feed on disk, renamed", "application/json", config["pathFile"]]
    toggled = steps["disable-enable-artifact"]  # a disabled artifact says so; enabled again, it is stored enabled
    assert (
        toggled["disabled"][4] == "disabled" and "Enable" in toggled["disabled"][5] and toggled["enabled"][4] == "yes"
    )
    assert toggled["storedEnabled"] is True
    asked = steps["leave-artifact-forms-asks"]  # another artifact's Edit, a link and back asked; "stay" kept the edit
    assert asked["questions"] == [UNSAVED_ARTIFACT.format("the artifact feed on disk, renamed")] * 3 + [
        UNSAVED_ARTIFACT.format("the new artifact")
    ]
    assert asked["kept"] == {"hash": "#/pipelines/artifacts", "name": "an unsaved name"}
    assert asked["left"] == "#/pipelines/entities"
    unload = steps["unsaved-artifact-on-unload"]  # close asked for each form and "stay" kept it; reload left
    assert unload["dialogs"] == ["beforeunload"] * 3
    assert unload["registerStayed"] == "/srv/left/unsaved.json" and unload["editStayed"] == "renamed, never saved"
    assert unload["afterReload"] == {"editForms": 0, "hash": "#/pipelines/artifacts"}
    assert steps["bad-input-on-its-field"]["batchSizeError"] == "Must be at least 1."
    assert steps["bad-input-on-its-field"]["templateError"] == "Choose one."
    assert steps["create-pipeline"]["invalidAfter"] == 0
    launched = steps["launch-to-success"]
    assert launched["status"] == "SUCCESS" and len(launched["lines"]) >= 5
    assert any(f"records into entities.{records['table']}" in line for line in launched["lines"])
    assert launched["skips"] == [["Skipped: artifacts disabled (not read)", "1 artifact"]]  # disabled before the launch
    assert "SUCCESS" in steps["list-shows-last-run"]["cells"]
    assert steps["launch-refused"]["errors"] == ["Artifacts: The pipeline has no artifacts."]
    _assert_pipeline_steps(steps, config["report"])
    assert len(report["screenshots"]) == len(report["steps"]) and all(Path(p).is_file() for p in report["screenshots"])

    with psycopg.connect(**platform_stack.pg.connect_kwargs()) as conn:
        run_row = conn.execute(
            "SELECT status FROM universal_pipelines.pipeline_runs WHERE dagster_run_id = %s", (launched["runId"],)
        ).fetchone()
        rows = conn.execute(f"SELECT sku, name FROM entities.ui_products_{suffix} ORDER BY sku").fetchall()
        report_table = config["report"]["table"]
        loaded = conn.execute(
            f"SELECT day::text, region, units, amount::text FROM entities.{report_table} ORDER BY day"
        ).fetchall()
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'entities' AND table_name = %s",
            (report_table,),
        ).fetchall()
        left = conn.execute(
            "SELECT (SELECT count(*) FROM universal_pipelines.pipelines WHERE name = %s),"
            " (SELECT count(*) FROM universal_pipelines.templates WHERE name = %s),"
            " (SELECT count(*) FROM universal_pipelines.entities WHERE name = %s),"
            " (SELECT count(*) FROM universal_pipelines.artifacts WHERE name = %s)",
            tuple(config["report"][key] for key in ("pipelineName", "templateName", "entityName", "artifactName")),
        ).fetchone()
    assert run_row == ("SUCCESS",)
    assert rows == [(p["sku"], p["name"]) for p in PRODUCTS]  # two artifacts, the same records: upserted once
    # the report's every row, across its page break, exactly once; the summary table not mixed in
    assert loaded == [(day, region, int(units), amount) for day, region, units, amount in _report_rows()]
    assert {"day", "region", "units", "amount", "note"} <= {name for (name,) in columns}  # the edit added `note`
    assert left == (0, 0, 0, 0)  # deleted in the browser; the entity's table stays (above)


def _assert_records_steps(steps: dict, report: dict) -> None:
    assert "lower-case name" in steps["create-entity"]["refused"]
    assert steps["create-entity"]["cells"][:2] == [report["entityName"], f"entities.{report['table']}"]
    assert "note text" in steps["edit-entity"]["cells"][2]
    assert "application/pdf" in steps["upload-pdf"]["cells"]


def _assert_preview_steps(steps: dict, report: dict) -> None:
    first = steps["template-editor-preview"]
    rows = _report_rows()
    assert first["imageLoaded"] and "/pages/1.png" in first["image"]
    assert [outline["used"] for outline in first["outlines"]] == [True]  # page 1: the sales table, used
    assert first["outlines"][0]["rows"] == 20  # the preview's 20 records marked on it
    _assert_row_marks(first["outlines"][0])
    assert [record["region"] for record in first["records"]] == [row[1] for row in rows[:20]]
    assert [record["units"] for record in first["records"]] == [row[2] for row in rows[:20]]
    assert first["summary"].startswith(f"the first 20 of {REPORT_ROWS} records")
    assert [text.split(" (")[0] for text in first["pages"]] == ["Page 1 of 3", "Page 2 of 3", "Page 3 of 3"]
    page2, page3 = steps["preview-other-pages"]["pages"]
    assert page2["imageLoaded"] and "/pages/2.png" in page2["image"]
    assert [outline["used"] for outline in page2["outlines"]] == [True]  # continued without its header: stitched
    assert [outline["used"] for outline in page3["outlines"]] == [False]  # the summary: skipped, and why
    assert "skipped:" in page3["outlines"][0]["title"] and "header: region | total" in page3["outlines"][0]["title"]
    changed = steps["change-selector"]
    assert changed["before"]["region"] == "North" and changed["after"]["region"] == report["changed"]["firstValue"]
    assert "#0" in steps["invalid-selector-on-its-field"]["error"]
    left = steps["leave-template-editor-asks"]  # a link and the back button asked; "stay" kept the draft
    assert left["questions"] == ["Leave without saving? The unsaved changes to the new template will be lost."] * 2
    kept = (left["hash"], left["templateName"], left["records"])
    assert kept == ("#/pipelines/templates/new", report["templateName"], 20)
    unload = steps["unsaved-entity-on-unload"]
    assert unload["dialogs"][0]["type"] == "beforeunload" and unload["stayed"]
    assert unload["dialogs"][1] == {
        "type": "confirm",
        "message": "Leave without saving? The unsaved changes to the new entity will be lost.",
    }
    saved = steps["save-template"]
    assert saved["hash"].startswith("#/pipelines/templates/") and saved["unsaved"] == 0
    assert len(saved["preview"]["records"]) == 20


def _assert_row_marks(outline: dict) -> None:
    """Each used row marked where it is printed: below the header, one under the other, inside the table."""
    x, top, width, height = outline["box"]
    marks = outline["marks"]
    assert marks[0][1] > top + 5  # the header row is not a record
    for mark_x, mark_top, mark_width, mark_height in marks:
        assert (mark_x, mark_width) == pytest.approx((x, width), abs=1) and 5 < mark_height < 40
        assert top <= mark_top and mark_top + mark_height <= top + height + 0.5
    for above, below in itertools.pairwise(marks):
        assert above[1] + above[3] <= below[1] + 0.5


def _assert_pipeline_steps(steps: dict, report: dict) -> None:
    run = steps["report-pipeline-run-counts"]
    facts = run["facts"]
    assert facts[0] == "SUCCESS" and facts[1:3] == [str(REPORT_ROWS), str(REPORT_ROWS)], facts
    counts = dict(run["counts"])  # tables and rows found, used, skipped (and why), as the page words them
    assert {key: counts.get(key) for key in ("Tables found", "Tables used", "Tables skipped", "Rows used")} == {
        "Tables found": "3",
        "Tables used": "2",  # the table and its continuation on page 2
        "Tables skipped": "1",  # the summary
        "Rows used": str(REPORT_ROWS),
    }
    assert dict(run["skips"])["Skipped: rows of tables without the template's columns"] == "5 rows"  # the summary
    edited = steps["edit-pipeline"]
    assert edited["refused"] == "Must be at least 1."
    assert (edited["batchSize"], edited["description"]) == (250, "edited in the browser")
    assert "disabled" in steps["disable-pipeline"]["cells"]
    assert steps["disable-pipeline"]["refusal"] == ["Enabled: The pipeline is disabled."]
    assert steps["delete-pipeline"]["question"].startswith(f"Delete {report['pipelineName']}?")
    assert "stays" in steps["delete-template-entity-artifact"]["removed"]["entity"]
