"""Benchmark universal pipelines; prints ONE JSON line (progress on stderr).

    python scripts/bench_pipelines.py [--rows 1000000]        (make bench-pipelines)

In a throw-away database on the configured Postgres (POSTGRES_*), it measures:
- extraction, artifacts per second: 1000 HTML pages (dom_selection), 1000 JSON documents (json_path),
  and PDF pages per second over a 100-page PDF with one table per page (table_detection);
- loading: `upsert` of ROWS records (dicts) into an empty entity table, which ends with its unique index,
  against plain COPY of the same records into an empty table without one: rows made from the dicts with
  no checks, then COPY (goal: ratio >= 0.5). Also reported: the ratio against COPY of ready-made tuples
  (`upsert_vs_copy_of_tuples`), the same upsert again when every key exists with unchanged values, and
  once more with every value changed;
- API launch to run STARTED: only when a platform is running (`make dev`; DAGSTER_WEBSERVER_URL or the
  local port): LAUNCHES one-artifact pipelines through the API routes, each polled until STARTED; the
  median and the slowest are reported (the daemon dequeues once a second, so single launches vary).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
import uuid
from dataclasses import replace
from decimal import Decimal

import psycopg
from psycopg import sql

from data_manager.db import connect
from data_manager.pipelines.extraction import extract_artifacts
from data_manager.pipelines.loading import copy_rows, load_records, plain_rows
from data_manager.pipelines.migrate import upgrade
from data_manager.pipelines.models import ArtifactIn, EntityIn, PipelineIn, TemplateField, TemplateIn
from data_manager.pipelines.store import PipelineStore
from data_manager.pipelines.strategies import ExtractionSpec
from data_manager.settings import PostgresSettings

ENTITY = EntityIn(
    name="bench",
    table_name="bench_items",
    columns=[{"name": "sku", "type": "text"}, {"name": "qty", "type": "integer"}, {"name": "price", "type": "decimal"}],
    unique_fields=["sku"],
)

LAUNCHES = 5


def log(message: str) -> None:
    print(f"[bench-pipelines] {message}", file=sys.stderr, flush=True)


def html_page(i: int) -> bytes:
    return f'<html><body><h1 class="t">Item {i}</h1><span class="sku" data-sku="S{i}">x</span><p class="p">{i}.50</p></body></html>'.encode()


def json_doc(i: int) -> bytes:
    return json.dumps({"item": {"sku": f"S{i}", "qty": i, "price": f"{i}.50"}, "tags": ["a", "b"]}).encode()


def pdf_pages(pages: int) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Table, TableStyle

    story = []
    for page in range(pages):
        table = Table([["SKU", "Qty", "Price"]] + [[f"S{page}-{r}", str(r), f"{r}.25"] for r in range(20)])
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
        story += [table, PageBreak()]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue()


def rate(store: PipelineStore, spec: ExtractionSpec, ids: list[int], units: int) -> float:
    started = time.perf_counter()
    result = extract_artifacts(store, spec, ids, "fail_fast")
    seconds = time.perf_counter() - started
    assert not result.failures and result.records, "benchmark extraction produced no records"
    return round(units / seconds, 1)


def extraction(store: PipelineStore) -> dict[str, float]:
    fields = [TemplateField(name="sku", selector=".sku::attr(data-sku)"), TemplateField(name="name", selector="h1")]
    log("storing 1000 HTML pages, 1000 JSON documents and a 100-page PDF")
    html = [
        store.create_artifact(ArtifactIn(name=f"{i}.html", media_type="text/html"), html_page(i)).id
        for i in range(1000)
    ]
    docs = [
        store.create_artifact(ArtifactIn(name=f"{i}.json", media_type="application/json"), json_doc(i)).id
        for i in range(1000)
    ]
    pdf = store.create_artifact(ArtifactIn(name="report.pdf", media_type="application/pdf"), pdf_pages(100)).id
    log("extracting")
    json_fields = [
        TemplateField(name="sku", selector="$.item.sku"),
        TemplateField(name="qty", field_type="integer", selector="$.item.qty"),
    ]
    pdf_fields = [
        TemplateField(name="sku", selector="SKU"),
        TemplateField(name="qty", field_type="integer", selector="Qty"),
    ]
    return {
        "html_dom_selection_artifacts_per_s": rate(store, ExtractionSpec("dom_selection", {}, fields), html, 1000),
        "json_path_artifacts_per_s": rate(store, ExtractionSpec("json_path", {}, json_fields), docs, 1000),
        "pdf_table_detection_pages_per_s": rate(store, ExtractionSpec("table_detection", {}, pdf_fields), [pdf], 100),
    }


def loading(store: PipelineStore, rows: int) -> dict[str, float]:
    log(f"building {rows} records")
    records = [{"sku": f"S{i:08d}", "qty": i % 1000, "price": Decimal(i % 997) / 4} for i in range(rows)]
    changed = [{**record, "qty": record["qty"] + 1} for record in records]
    entity = store.create_entity(ENTITY)
    names = [column.name for column in ENTITY.columns]
    log("plain COPY into an empty table")
    with connect(store.settings) as conn, conn.transaction():
        conn.execute("CREATE TABLE public.copy_baseline (sku text, qty integer, price numeric)")
        conn.execute("CREATE TABLE public.copy_tuples (sku text, qty integer, price numeric)")
        started = time.perf_counter()
        copy_rows(conn, sql.Identifier("copy_baseline"), names, plain_rows(names, records))
        copy_s = time.perf_counter() - started
        tuples = plain_rows(names, records)
        started = time.perf_counter()
        copy_rows(conn, sql.Identifier("copy_tuples"), names, tuples)
        copy_tuples_s = time.perf_counter() - started
        del tuples
    log("upsert into the empty entity table")
    started = time.perf_counter()
    load_records(store.settings, entity, records, "upsert", batch_size=100_000)
    upsert_s = time.perf_counter() - started
    log("upsert again (every key exists, values unchanged)")
    started = time.perf_counter()
    load_records(store.settings, entity, records, "upsert", batch_size=100_000)
    again_s = time.perf_counter() - started
    log("upsert again (every key exists, every row changed)")
    started = time.perf_counter()
    load_records(store.settings, entity, changed, "upsert", batch_size=100_000)
    changed_s = time.perf_counter() - started
    return {
        "rows": rows,
        "copy_rows_per_s": round(rows / copy_s),
        "copy_tuples_rows_per_s": round(rows / copy_tuples_s),
        "upsert_rows_per_s": round(rows / upsert_s),
        "upsert_vs_copy": round(copy_s / upsert_s, 2),
        "upsert_vs_copy_of_tuples": round(copy_tuples_s / upsert_s, 2),
        "upsert_existing_rows_per_s": round(rows / again_s),
        "upsert_existing_changed_rows_per_s": round(rows / changed_s),
    }


def launch_timing() -> dict[str, object]:
    """POST /api/pipelines/{id}/runs against the running platform's own database, then poll until STARTED."""
    from fastapi.testclient import TestClient

    from data_manager.api.app import create_app
    from data_manager.control.webserver import default_webserver_url, is_up
    from data_manager.db import platform_database
    from data_manager.pipelines import runs

    if not is_up():
        return {"launch_to_started_s": None, "launch_note": f"no platform at {default_webserver_url()}: run `make dev`"}
    pipeline_db = platform_database().settings  # the embedded server of `make dev`, or POSTGRES_HOST's
    store = PipelineStore(pipeline_db)
    upgrade(pipeline_db)
    suffix = uuid.uuid4().hex[:8]
    template = store.create_template(TemplateIn(name=f"bench {suffix}", extraction_strategy="json_path",
                                                fields=[TemplateField(name="sku", selector="$.item.sku")]))  # fmt: skip
    entity = store.create_entity(
        EntityIn(name=f"bench {suffix}", table_name=f"bench_{suffix}", columns=[{"name": "sku", "type": "text"}])
    )
    artifact = store.create_artifact(ArtifactIn(name="b.json", media_type="application/json"), json_doc(1))
    pipeline = store.create_pipeline(
        PipelineIn(name=f"bench {suffix}", template_id=template.id, entity_id=entity.id, artifact_ids=[artifact.id])
    )
    api = TestClient(create_app(token=""))
    timings = []
    with runs.client() as dagster:
        for _ in range(LAUNCHES):
            started = time.perf_counter()
            response = api.post(f"/api/pipelines/{pipeline.id}/runs")
            if response.status_code != 201:
                return {"launch_to_started_s": None, "launch_note": f"launch refused: {response.json()}"}
            run_id = response.json()["run_id"]
            while dagster.run(run_id).status in ("QUEUED", "NOT_STARTED", "STARTING"):
                if time.perf_counter() - started > 120:
                    return {"launch_to_started_s": None, "launch_note": f"run {run_id} not started within 120 s"}
                time.sleep(0.05)
            timings.append(time.perf_counter() - started)
            while dagster.run(run_id).status not in ("SUCCESS", "FAILURE", "CANCELED"):
                time.sleep(0.2)  # one run at a time: the next launch does not queue behind this one
    return {
        "launch_to_started_s": round(statistics.median(timings), 2),
        "launch_to_started_max_s": round(max(timings), 2),
        "launches": len(timings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="records for the upsert benchmark")
    args = parser.parse_args()
    server = PostgresSettings.from_env()
    database = f"bench_pipelines_{uuid.uuid4().hex[:8]}"
    with connect(server, database="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    settings = replace(server, database=database)
    try:
        upgrade(settings)
        store = PipelineStore(settings)
        result: dict[str, object] = {"benchmark": "pipelines"}
        result.update(extraction(store))
        result.update(loading(store, args.rows))
        log("API launch to STARTED (needs `make dev`)")
        result.update(launch_timing())
    finally:
        with connect(server, database="postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
    print(json.dumps(result))


if __name__ == "__main__":
    try:
        main()
    except psycopg.Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
