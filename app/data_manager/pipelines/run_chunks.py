"""A run's artifacts in chunks: each extracted by its own step, staged in Postgres, loaded exactly once.

`universal_pipelines.run_chunks` has one row per (run, chunk): progress while it runs (artifacts done,
records so far), then the chunk's typed records, counts, failures and skips. A step that runs twice
(a retry, a second worker) rewrites its own row. The load step loads every chunk's records into the
entity in one transaction that also marks the chunks `loaded_by` the run and writes the run's counts:
a second load of the same chunks finds them marked and loads nothing. Staged records are dropped
when loaded; chunks of runs that never loaded are dropped after STAGE_DAYS.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from data_manager.pipelines.extraction import ExtractionResult
from data_manager.pipelines.fields import from_json_value, json_value
from data_manager.pipelines.findings import COUNT_KEYS, add_counts
from data_manager.pipelines.loading import LoadFailed, LoadResult, load_records
from data_manager.pipelines.models import Entity, TemplateField
from data_manager.pipelines.store import PipelineStore, table

MAX_CHUNK_ARTIFACTS = 500
PARALLEL_MIN_ARTIFACTS = 50  # fewer (and small) artifacts run in one step: a step process costs ~1 s
PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # ... unless they are this big together (PDFs)
STAGE_DAYS = 7


def chunk_size(artifacts: int, total_bytes: int, workers: int) -> int:
    """Artifacts per chunk: all in one for small runs, else about two chunks per worker, at most 500 each."""
    if artifacts < 2 or (artifacts < PARALLEL_MIN_ARTIFACTS and total_bytes < PARALLEL_MIN_BYTES):
        return max(artifacts, 1)
    return max(1, min(MAX_CHUNK_ARTIFACTS, math.ceil(artifacts / (2 * max(workers, 1)))))


def chunks_of(ids: list[int], size: int) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), max(size, 1))] or [[]]


# -- staging ---------------------------------------------------------------------------------------
def start_chunk(store: PipelineStore, run_id: str, chunk: int, pipeline_id: int, artifacts: int) -> None:
    """The chunk's row at 0 done (again, when the step runs a second time)."""
    with store.transaction() as conn:
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (run_id, chunk, pipeline_id, artifacts_total) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (run_id, chunk) DO UPDATE SET artifacts_done = 0, records_so_far = 0, records = NULL, "
                "counts = NULL, failures = NULL, skipped = NULL, finished_at = NULL, updated_at = now() "
                "WHERE {}.loaded_by IS NULL"
            ).format(table("run_chunks"), table("run_chunks")),
            (run_id, chunk, pipeline_id, artifacts),
        )
        conn.execute(
            sql.SQL("DELETE FROM {} WHERE created_at < now() - make_interval(days => %s)").format(table("run_chunks")),
            (STAGE_DAYS,),
        )


def chunk_progress(store: PipelineStore, run_id: str, chunk: int, done: int, records: int) -> None:
    with store.transaction() as conn:
        conn.execute(
            sql.SQL(
                "UPDATE {} SET artifacts_done = %s, records_so_far = %s, updated_at = now() "
                "WHERE run_id = %s AND chunk = %s"
            ).format(table("run_chunks")),
            (done, records, run_id, chunk),
        )


def finish_chunk(
    store: PipelineStore, run_id: str, chunk: int, fields: list[TemplateField], result: ExtractionResult,
    keep_records: bool = True,
) -> None:  # fmt: skip
    """The chunk's outcome (and its records, unless it failed: fail_fast loads nothing)."""
    names = [f.name for f in fields]
    records = [[json_value(record.get(name)) for name in names] for record in result.records] if keep_records else None
    with store.transaction() as conn:
        conn.execute(
            sql.SQL(
                "UPDATE {} SET artifacts_done = %s, records_so_far = %s, fields = %s, records = %s, "
                "record_artifacts = %s, counts = %s, failures = %s, skipped = %s, finished_at = now(), "
                "updated_at = now() WHERE run_id = %s AND chunk = %s AND loaded_by IS NULL"
            ).format(table("run_chunks")),
            (
                result.artifacts,
                len(result.records),
                Jsonb([[f.name, f.field_type] for f in fields]),
                Jsonb(records) if records is not None else None,
                result.record_artifacts if keep_records else None,
                Jsonb(result.all_counts()),
                Jsonb([f.as_dict() for f in result.failures]),
                Jsonb(result.skipped),
                run_id,
                chunk,
            ),
        )


@dataclass
class Staged:
    records: list[dict[str, Any]]
    record_artifacts: list[int]
    counts: dict[str, Any]
    failures: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    loaded_by: list[str]


def _refs_condition(refs: Iterable[tuple[str, int]]) -> tuple[sql.Composable, list[Any]]:
    pairs = list(refs)
    condition = sql.SQL("(run_id, chunk) IN ({})").format(sql.SQL(", ").join(sql.SQL("(%s, %s)") * len(pairs)))
    return condition, [v for pair in pairs for v in pair]


def staged(store: PipelineStore, refs: list[tuple[str, int]]) -> Staged:
    """The chunks' records (typed again), counts added up, failures and skips listed."""
    condition, params = _refs_condition(refs)
    with store.transaction() as conn:
        rows = conn.execute(
            sql.SQL(
                "SELECT run_id, chunk, fields, records, record_artifacts, counts, failures, skipped, loaded_by, "
                "finished_at FROM {} WHERE {} ORDER BY chunk"
            ).format(table("run_chunks"), condition),
            params,
        ).fetchall()
    missing = set(refs) - {(r["run_id"], r["chunk"]) for r in rows}
    unfinished = [r["chunk"] for r in rows if r["finished_at"] is None]
    if missing or unfinished:
        raise LoadFailed(f"chunks not staged: {sorted(missing) or unfinished}; extract them again")
    out = Staged([], [], {}, [], [], [])
    for row in rows:
        if row["loaded_by"]:
            out.loaded_by.append(row["loaded_by"])
        fields = row["fields"] or []
        for values in row["records"] or []:
            out.records.append({name: from_json_value(kind, v) for (name, kind), v in zip(fields, values, strict=True)})
        out.record_artifacts += row["record_artifacts"] or []
        out.counts = sum_counts(out.counts, row["counts"] or {})
        out.failures += row["failures"] or []
        out.skipped += row["skipped"] or []
    return out


def sum_counts(total: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    for key, value in more.items():
        if isinstance(value, dict):
            total[key] = add_counts(dict(total.get(key) or {}), value)
        elif isinstance(value, int):
            total[key] = total.get(key, 0) + value
    return total


def load_staged(
    store: PipelineStore, entity: Entity, refs: list[tuple[str, int]], run_id: str, pipeline_id: int,
    load_strategy: str, batch_size: int, failure_policy: str,
) -> tuple[LoadResult, Staged, bool]:  # fmt: skip
    """Load the chunks' records once: (result, staged, loaded_now); False when an earlier execution did.

    A run whose artifacts were all disabled (after its launch, which refuses such a pipeline) fails with one
    line rather than succeeding with 0 records: a `replace` load of nothing would empty the entity, and a
    green run that read nothing hides it. Its chunks' counts still show each skip ("artifact disabled").
    """
    data = staged(store, refs)
    if data.counts.get("artifacts") and data.counts.get("artifacts_skipped") == data.counts["artifacts"]:
        raise LoadFailed(f"every artifact of the run is disabled ({data.counts['artifacts']} skipped): nothing loaded")
    if data.loaded_by:
        if len(data.loaded_by) != len(refs):
            raise LoadFailed(f"some chunks were loaded by run {data.loaded_by[0]} and others not")
        earlier = store.get_run(data.loaded_by[0])
        return LoadResult(load_strategy, loaded=earlier.records_loaded or 0), data, False
    condition, params = _refs_condition(refs)

    def mark(conn: psycopg.Connection, result: LoadResult) -> None:
        marked = conn.execute(
            sql.SQL(
                "UPDATE {} SET loaded_by = %s, records = NULL, updated_at = now() WHERE {} AND loaded_by IS NULL"
            ).format(table("run_chunks"), condition),
            [run_id, *params],
        ).rowcount
        if marked != len(refs):
            raise LoadFailed("another execution loaded these records at the same time; nothing was written twice")
        counts = run_counts_after_load(data, result)
        conn.execute(
            sql.SQL(
                "INSERT INTO {} (pipeline_id, dagster_run_id, status, records_extracted, records_loaded, "
                "records_failed, counts) VALUES ((SELECT id FROM {} WHERE id = %s), %s, 'STARTED', %s, %s, %s, %s) "
                "ON CONFLICT (dagster_run_id) "
                "DO UPDATE SET records_extracted = EXCLUDED.records_extracted, records_loaded = EXCLUDED.records_loaded, "
                "records_failed = EXCLUDED.records_failed, counts = EXCLUDED.counts, updated_at = now()"
            ).format(table("pipeline_runs"), table("pipelines")),
            (pipeline_id, run_id, counts["records_extracted"], counts["records_loaded"], counts["records_failed"],
             Jsonb(counts)),
        )  # fmt: skip

    result = load_records(
        store.settings, entity, data.records, load_strategy, batch_size, failure_policy, data.record_artifacts,
        in_transaction=mark,
    )  # fmt: skip
    return result, data, True


def run_counts_after_load(data: Staged, result: LoadResult) -> dict[str, Any]:
    counts = dict(data.counts)
    counts["records_loaded"] = result.loaded
    counts["records_failed"] = counts.get("records_failed", 0) + len(result.failures)
    counts.setdefault("records_extracted", len(data.records))
    for key in COUNT_KEYS:
        counts.setdefault(key, 0)
    return counts


# -- what the API and CLI show ---------------------------------------------------------------------
def run_progress(store: PipelineStore, run_id: str) -> dict[str, Any] | None:
    """artifacts_done, artifacts_total, records_so_far over the run's chunks (None before its first chunk)."""
    with store.transaction() as conn:
        row = conn.execute(
            sql.SQL(
                "SELECT count(*) AS chunks, sum(artifacts_done) AS done, sum(artifacts_total) AS total, "
                "sum(records_so_far) AS records, count(finished_at) AS finished FROM {} WHERE run_id = %s"
            ).format(table("run_chunks")),
            (run_id,),
        ).fetchone()
    if not row["chunks"]:
        return None
    return {
        "artifacts_done": int(row["done"]),
        "artifacts_total": int(row["total"]),
        "records_so_far": int(row["records"]),
        "chunks_done": int(row["finished"]),
        "chunks_total": int(row["chunks"]),
    }


def chunk_counts(store: PipelineStore, run_id: str) -> dict[str, Any] | None:
    """The counts of the run's finished chunks added up (for a run that ended before its load)."""
    with store.transaction() as conn:
        rows = conn.execute(
            sql.SQL("SELECT counts FROM {} WHERE run_id = %s AND counts IS NOT NULL").format(table("run_chunks")),
            (run_id,),
        ).fetchall()
    if not rows:
        return None
    total: dict[str, Any] = {}
    for row in rows:
        sum_counts(total, row["counts"])
    return total
