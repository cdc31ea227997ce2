"""Benchmark universal pipelines; prints ONE JSON line (progress on stderr).

    python scripts/bench_pipelines.py [--rows 1000000] [--documents 10000]        (make bench-pipelines)

In a throw-away database on the configured Postgres (POSTGRES_*), it measures:
- reading real-looking documents (tests/pipelines/report_corpus.py: a 20-page register with its header on
  page 1 only, a scanned and a rotated page and a summary; an unruled listing; an HTML table with spans):
  row recall, field exactness and silent drops (rows neither read nor reported) against their ground truth
  (goals 1.0, 1.0, 0);
- PDF table pages per second, ours against pdfplumber's own `extract_tables` on the same pages in the same
  run: one process over a 20-page register, then 8 registers as parallel chunks in two processes, as a run
  of many artifacts reads them (goals: 0.9x and 1.7x pdfplumber on one core);
- one run of the real job over DOCUMENTS small JSON artifacts (chunks on the multiprocess executor):
  artifacts per second and the peak RSS of the whole process tree (goal < 500 MB);
- preview of the 20-page register through the API (goal <= 2 s) and the API's RSS growth while a 20 MB
  artifact uploads through a real `data-manager api` process (goal < 50 MB);
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
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

from daglab.models import FINISHED_STATUSES
from data_manager.db import connect
from data_manager.pipelines import run_chunks
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
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the document corpus and its ground truth live with the tests
MB = 1024 * 1024


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
    from data_manager.db import platform_database
    from data_manager.pipelines import runs
    from data_manager.webserver import default_webserver_url, is_up

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
            while dagster.run(run_id).status not in FINISHED_STATUSES:
                time.sleep(0.2)  # one run at a time: the next launch does not queue behind this one
    return {
        "launch_to_started_s": round(statistics.median(timings), 2),
        "launch_to_started_max_s": round(max(timings), 2),
        "launches": len(timings),
    }


# -- documents as they come --------------------------------------------------------------------------
def corpus_quality() -> dict[str, object]:
    """Row recall, field exactness and silent drops over the generated corpus, against its ground truth."""
    from data_manager.pipelines.documents import Document
    from data_manager.pipelines.extraction import read_document
    from pipelines.report_corpus import (
        FIELDS,
        LISTING_FIELDS,
        LISTING_SETTINGS,
        rowspan_html,
        shipments_register,
        unruled_listing,
    )  # fmt: skip

    log("reading the corpus (20-page register with a scanned page, unruled listing, HTML with spans)")
    register, listing = shipments_register(), unruled_listing()
    html, html_truth = rowspan_html()
    html_fields = [{"name": n, "selector": s} for n, s in
                   (("region", "Region"), ("units", "Sales units"), ("amount", "Sales amount"), ("year", "Year"))]  # fmt: skip
    cases = [
        ("register", register.pdf, "application/pdf", {}, FIELDS, register.rows, register.row_pages, ("reference",)),
        ("listing", listing.pdf, "application/pdf", LISTING_SETTINGS, LISTING_FIELDS, listing.rows, listing.row_pages, ("code",)),
        ("html", html, "text/html", {}, html_fields, html_truth, [None] * len(html_truth), ("region", "units", "year")),
    ]  # fmt: skip
    truth_rows = matched = fields_total = fields_exact = silent = 0
    for name, data, media_type, config, fields, truth, pages, key in cases:
        spec = ExtractionSpec("table_detection", config, [TemplateField(**f) for f in fields])
        read = read_document(Document(1, name, media_type, data), spec)
        got = {tuple(r.values.get(k) for k in key): r.values for r in read.records if not r.errors}
        reported = {s.page for s in read.findings.skipped} | {r.candidate.page for r in read.records if r.errors}
        silent += read.findings.unaccounted_rows()
        for row, page in zip(truth, pages, strict=True):
            truth_rows += 1
            found = got.get(tuple(row.get(k) for k in key))
            if found is None:
                silent += page not in reported
                continue
            matched += 1
            fields_total += len(row)
            fields_exact += sum(1 for k, v in row.items() if found.get(k) == v)
    return {
        "corpus_rows": truth_rows,
        "corpus_row_recall": round(matched / truth_rows, 4),
        "corpus_field_exactness": round(fields_exact / max(fields_total, 1), 4),
        "corpus_silent_drops": silent,
    }


def _register_read(data: bytes) -> int:
    """Pages per worker call: one register read as a run reads it (used in the worker processes too)."""
    from data_manager.pipelines.documents import Document
    from data_manager.pipelines.extraction import read_document
    from pipelines.report_corpus import FIELDS

    spec = ExtractionSpec("table_detection", {}, [TemplateField(**f) for f in FIELDS])
    return len(read_document(Document(1, "r.pdf", "application/pdf", data), spec).findings.pages)


def _pdfplumber_read(data: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.close()
        return len(pdf.pages)


def pdf_speed() -> dict[str, object]:
    """Our table reading against pdfplumber's extract_tables, one core, then eight documents on two cores."""
    from pipelines.report_corpus import shipments_register

    data = shipments_register(scanned=None).pdf  # text pages: OCR would measure tesseract
    log("PDF pages/s: ours and pdfplumber's extract_tables on one core")
    _register_read(data), _pdfplumber_read(data)  # imports and caches warm
    ours = min(_timed(_register_read, data) for _ in range(3))
    plumber = min(_timed(_pdfplumber_read, data) for _ in range(3))
    log("PDF pages/s: 8 registers as chunks in two processes")
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_register_read, [data, data]))  # workers started and warm
        started = time.perf_counter()
        pages = sum(pool.map(_register_read, [data] * 8))
        parallel = time.perf_counter() - started
    return {
        "pdf_pages_per_s_1_core": round(20 / ours, 1),
        "pdfplumber_extract_tables_pages_per_s": round(20 / plumber, 1),
        "pdf_vs_pdfplumber_1_core": round(plumber / ours, 2),
        "pdf_pages_per_s_2_cores": round(pages / parallel, 1),
        "pdf_vs_pdfplumber_2_cores": round((pages / parallel) / (20 / plumber), 2),
    }


def _timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


class TreeMemory:
    """Peak memory of a process and its children while the block runs, sampled every 250 ms: the sum of RSS
    (counts pages the step processes share with their fork server once per process) and the sum of PSS
    (each shared page split among its sharers: the memory the run really takes)."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.root, self.rss, self.pss, self.largest, self._stop = psutil.Process(pid), 0, 0, 0, threading.Event()

    def __enter__(self) -> TreeMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(0.25):
            rss, pss = [], []
            with contextlib.suppress(psutil.Error):
                for process in [self.root, *self.root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):  # a step process that just ended
                        info = process.memory_full_info()
                        rss.append(info.rss)
                        pss.append(info.pss)
            self.rss, self.pss = max(self.rss, sum(rss)), max(self.pss, sum(pss))
            self.largest = max(self.largest, max(rss, default=0))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def many_documents(store: PipelineStore, documents: int) -> dict[str, object]:
    """One run of the real job over `documents` small JSON artifacts (chunks on the multiprocess executor), in
    a process of its own as a run worker is, its memory and its children's measured from here."""
    log(f"storing {documents} JSON artifacts")
    ids = bulk_store(store, [(f"d{i}.json", json_doc(i + 10**6)) for i in range(documents)])
    template = store.create_template(TemplateIn(name="many", extraction_strategy="json_path", fields=[
        TemplateField(name="sku", selector="$.item.sku", required=True), TemplateField(name="qty", field_type="integer", selector="$.item.qty")]))  # fmt: skip
    entity = store.create_entity(EntityIn(name="many", table_name="many_docs", columns=[{"name": "sku", "type": "text"}, {"name": "qty", "type": "integer"}]))  # fmt: skip
    pipeline = store.create_pipeline(PipelineIn(name="many", template_id=template.id, entity_id=entity.id, artifact_ids=ids))  # fmt: skip
    env = {**os.environ, "POSTGRES_HOST": store.settings.host, "POSTGRES_PORT": str(store.settings.port),
           "POSTGRES_USER": store.settings.user, "POSTGRES_DB": store.settings.database}  # fmt: skip
    log(f"one run over {documents} artifacts")
    child = subprocess.Popen([sys.executable, __file__, "--run-pipeline", str(pipeline.id)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    with TreeMemory(child.pid) as memory:
        out, _ = child.communicate(timeout=3600)
    if child.returncode != 0:
        raise SystemExit(f"error: the {documents}-document run failed (exit {child.returncode})")
    run = json.loads(out.strip().splitlines()[-1])
    assert store.get_run(run["run_id"]).records_loaded == documents, "not every document was loaded"
    return {
        "documents": documents,
        "documents_run_artifacts_per_s": round(documents / run["seconds"], 1),
        "documents_run_s": round(run["seconds"], 1),
        "documents_run_chunks": run["chunks"],
        "documents_run_peak_pss_mb": round(memory.pss / MB),
        "documents_run_peak_rss_sum_mb": round(memory.rss / MB),
        "documents_run_largest_process_rss_mb": round(memory.largest / MB),
    }


def bulk_store(store: PipelineStore, documents: list[tuple[str, bytes]]) -> list[int]:
    """Small JSON artifacts stored as store_artifact stores them, in one transaction (setup, not measured)."""
    import hashlib

    with store.transaction() as conn, conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO universal_pipelines.artifacts (name, media_type, size_bytes, sha256) "
            "VALUES (%s, 'application/json', %s, %s) RETURNING id",
            [(name, len(data), hashlib.sha256(data).hexdigest()) for name, data in documents],
            returning=True,
        )
        ids = []
        while True:
            ids.append(cursor.fetchone()["id"])
            if not cursor.nextset():
                break
        cursor.executemany(
            "INSERT INTO universal_pipelines.artifact_chunks (artifact_id, position, data) VALUES (%s, 0, %s)",
            [(artifact_id, data) for artifact_id, (_, data) in zip(ids, documents, strict=True)],
        )
    return ids


def run_pipeline(pipeline_id: int) -> None:
    """The child of `many_documents`: the pipeline's run as a run worker executes it; prints its seconds."""
    import dagster as dg

    from data_manager.dagster_private_api import ReconstructableRepository
    from data_manager.pipelines.runs import build_run_config

    store = PipelineStore()
    run_config = build_run_config(store, store.get_pipeline(pipeline_id))
    job = ReconstructableRepository.for_module("dagster_code.universal_pipelines", "defs").get_reconstructable_job(
        "universal_pipeline"
    )
    with dg.instance_for_test() as instance:
        started = time.perf_counter()
        result = dg.execute_job(job, instance=instance, run_config=run_config)
        seconds = time.perf_counter() - started
    chunks = len(run_chunks.chunks_of(store.get_pipeline(pipeline_id).artifact_ids, run_config["ops"]["plan_chunks"]["config"]["chunk_size"]))  # fmt: skip
    print(json.dumps({"run_id": result.run_id, "seconds": seconds, "chunks": chunks, "success": result.success}))
    raise SystemExit(0 if result.success else 1)


def preview_and_upload(settings: PostgresSettings) -> dict[str, object]:
    """Preview of the 20-page register through the API, and the API process's RSS during a 20 MB upload."""
    import httpx
    import psutil

    from data_manager.api.readiness import wait_until_healthy
    from data_manager.process_groups import free_port, stop_group
    from pipelines.report_corpus import FIELDS, shipments_register

    port = free_port()
    env = {**os.environ, **{k: v for k, v in (("POSTGRES_HOST", settings.host), ("POSTGRES_PORT", str(settings.port)),
           ("POSTGRES_USER", settings.user), ("POSTGRES_DB", settings.database))}}  # fmt: skip
    env.pop("PLATFORM_API_TOKEN", None)
    process = subprocess.Popen([sys.executable, "-m", "data_manager.cli", "api", "--port", str(port)], env=env, cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, timeout_s=120, process=process)
        with httpx.Client(base_url=url, timeout=600) as api:
            log("preview of a 20-page PDF through the API")
            pdf = shipments_register(scanned=None).pdf
            artifact = api.post("/api/artifacts", files={"file": ("register.pdf", pdf, "application/pdf")}).json()["id"]
            template = api.post("/api/templates", json={"name": "register", "extraction_strategy": "table_detection",
                                                        "fields": FIELDS}).json()["id"]  # fmt: skip
            timings = []
            for _ in range(3):
                started = time.perf_counter()
                response = api.post(f"/api/templates/{template}/preview", json={"artifact_id": artifact, "limit": 20})
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200 and response.json()["record_count"] > 500, response.text[:300]
            log("upload of 20 MB through the API")
            service = psutil.Process(process.pid)
            before = peak = service.memory_info().rss
            done = threading.Event()

            def sample() -> None:
                nonlocal peak
                while not done.wait(0.02):
                    peak = max(peak, service.memory_info().rss)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            data = os.urandom(20 * MB)
            uploaded = api.post("/api/artifacts", files={"file": ("big.pdf", data, "application/pdf")})
            done.set()
            sampler.join()
            assert uploaded.status_code == 201, uploaded.text
    finally:
        stop_group(process, grace_s=15)
    return {
        "preview_20_pages_s": round(statistics.median(timings), 2),
        "preview_20_pages_first_s": round(timings[0], 2),
        "upload_20mb_rss_growth_mb": round((peak - before) / MB, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="records for the upsert benchmark")
    parser.add_argument("--documents", type=int, default=10_000, help="JSON artifacts in the one-run benchmark")
    parser.add_argument("--run-pipeline", type=int, help=argparse.SUPPRESS)  # the one run, in a child process
    args = parser.parse_args()
    if args.run_pipeline:
        run_pipeline(args.run_pipeline)
    server = PostgresSettings.from_env()
    database = f"bench_pipelines_{uuid.uuid4().hex[:8]}"
    with connect(server, database="postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    settings = replace(server, database=database)
    try:
        upgrade(settings)
        store = PipelineStore(settings)
        result: dict[str, object] = {"benchmark": "pipelines"}
        result.update(corpus_quality())
        result.update(pdf_speed())
        result.update(preview_and_upload(settings))
        result.update(many_documents(store, args.documents))
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
