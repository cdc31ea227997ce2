"""Runs in chunks on a real Postgres: each chunk step safe to run twice, loads exactly once, counts and progress in
pipeline_runs and the API without the sensor, `expect` under both failure policies, the executor chosen at launch."""

from __future__ import annotations

import json

import dagster as dg
import psycopg
import pytest

from dagster_code.universal_pipelines import defs
from data_manager.pipelines import run_chunks
from data_manager.pipelines.extraction import extract_artifacts
from data_manager.pipelines.models import ArtifactIn, EntityIn, PipelineIn, TemplateIn
from data_manager.pipelines.runs import build_run_config, with_counts
from data_manager.pipelines.store import PipelineStore
from data_manager.pipelines.template_checks import spec_of

TEMPLATE = {
    "name": "feed",
    "extraction_strategy": "json_path",
    "strategy_config": {"records_path": "$.items[*]"},
    "fields": [{"name": "sku", "selector": "$.sku", "required": True}, {"name": "qty", "field_type": "integer", "selector": "$.qty"}],
}  # fmt: skip
ENTITY = {"name": "stock", "table_name": "stock", "columns": [{"name": "sku", "type": "text"}, {"name": "qty", "type": "integer"}]}  # fmt: skip


def feed(n: int, items: int = 2) -> bytes:
    return json.dumps({"items": [{"sku": f"S{n}-{i}", "qty": i} for i in range(items)]}).encode()


def make(store: PipelineStore, artifacts: int, items: int = 2, **template_changes) -> tuple[int, list[int], int]:
    template = store.create_template(TemplateIn(**{**TEMPLATE, **template_changes}))
    entity = store.create_entity(EntityIn(**ENTITY))
    ids = [store.create_artifact(ArtifactIn(name=f"{n}.json", media_type="application/json"), feed(n, items)).id
           for n in range(artifacts)]  # fmt: skip
    return template.id, ids, entity.id


def loaded(store: PipelineStore) -> list[tuple]:
    with psycopg.connect(**store.settings.connect_kwargs()) as conn:
        return conn.execute("SELECT sku, qty FROM entities.stock ORDER BY sku").fetchall()


def test_a_chunk_staged_twice_and_loaded_twice_loads_once(store: PipelineStore) -> None:
    template_id, ids, entity_id = make(store, 6)
    spec = spec_of(store.get_template(template_id))
    entity = store.get_entity(entity_id)
    refs = []
    for number, chunk in enumerate(run_chunks.chunks_of(ids, 4)):
        for _ in range(2):  # a step run twice (a retry, a second worker): its row is rewritten, not added
            run_chunks.start_chunk(store, "run-1", number, 1, len(chunk))
            run_chunks.finish_chunk(store, "run-1", number, spec.fields, extract_artifacts(store, spec, chunk))
        refs.append(("run-1", number))
    assert run_chunks.run_progress(store, "run-1") == {
        "artifacts_done": 6, "artifacts_total": 6, "records_so_far": 12, "chunks_done": 2, "chunks_total": 2,
    }  # fmt: skip
    result, _, now = run_chunks.load_staged(store, entity, refs, "run-1", 1, "append", 1000, "fail_fast")
    assert (result.loaded, now, len(loaded(store))) == (12, True, 12)
    again, _, now = run_chunks.load_staged(store, entity, refs, "run-1-retry", 1, "append", 1000, "fail_fast")
    assert (again.loaded, now, len(loaded(store))) == (12, False, 12)  # nothing loaded twice
    run_chunks.start_chunk(store, "run-1", 0, 1, 4)  # a late duplicate of an extraction step changes nothing
    assert run_chunks.run_progress(store, "run-1")["artifacts_done"] == 6
    row = store.get_run("run-1")
    assert (row.records_extracted, row.records_loaded, row.records_failed) == (12, 12, 0)
    assert row.counts["artifacts"] == 6 and row.counts["rows_found"] == 12


def execute(store: PipelineStore, pipeline_id: int, instance: dg.DagsterInstance, chunk_size: int | None = None):
    run_config = build_run_config(store, store.get_pipeline(pipeline_id))
    if chunk_size:
        run_config["ops"]["plan_chunks"]["config"]["chunk_size"] = chunk_size
    run_config.pop("execution")  # execute_in_process runs every step in this process
    return defs.resolve_job_def("universal_pipeline").execute_in_process(
        run_config=run_config, instance=instance, raise_on_error=False
    )


def test_a_run_in_three_chunks_writes_its_counts_itself(store: PipelineStore) -> None:
    template_id, ids, entity_id = make(store, 5)
    pipeline = store.create_pipeline(
        PipelineIn(name="p", template_id=template_id, entity_id=entity_id, artifact_ids=ids)
    )
    with dg.instance_for_test() as instance:
        result = execute(store, pipeline.id, instance, chunk_size=2)
    assert result.success
    steps = sorted({e.step_key for e in result.all_events if e.step_key})
    assert steps == [
        "extract_chunk[chunk_0]",
        "extract_chunk[chunk_1]",
        "extract_chunk[chunk_2]",
        "load_data",
        "plan_chunks",
    ]
    assert len(loaded(store)) == 10
    run = store.get_run(result.run_id)  # written by load_data in its transaction: no sensor ran
    assert (run.records_extracted, run.records_loaded, run.records_failed) == (10, 10, 0)
    assert with_counts(store, run).progress is None or run.status == "STARTED"
    output = next(e for e in result.all_events if e.event_type_value == "STEP_OUTPUT" and e.step_key == "load_data")
    metadata = output.event_specific_data.metadata
    assert (metadata["records_loaded"].value, metadata["rows_found"].value, metadata["artifacts"].value) == (10, 10, 5)


@pytest.mark.parametrize("policy", ["fail_fast", "continue"])
def test_expect_fails_the_document_under_fail_fast_and_is_counted_under_continue(
    store: PipelineStore, policy: str
) -> None:
    template_id, ids, entity_id = make(store, 2, expect={"min_records": 3})
    pipeline = store.create_pipeline(
        PipelineIn(name="p", template_id=template_id, entity_id=entity_id, artifact_ids=ids, failure_policy=policy)
    )
    with dg.instance_for_test() as instance:
        result = execute(store, pipeline.id, instance)
    run = with_counts(store, store.get_run(result.run_id)) if policy == "continue" else None
    if policy == "fail_fast":
        assert not result.success and loaded(store) == []
        [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        assert failure.event_specific_data.user_failure_data.description == (
            "artifact 1 (0.json): 0.json: 2 record(s), the template expects at least 3"
        )
        counts = run_chunks.chunk_counts(store, result.run_id)
        assert (counts["records_extracted"], counts["records_failed"]) == (2, 1)
    else:
        assert result.success and len(loaded(store)) == 4
        assert (run.records_extracted, run.records_loaded, run.records_failed) == (4, 4, 2)


def test_many_or_large_artifacts_run_in_parallel_chunks(store: PipelineStore) -> None:
    template_id, ids, entity_id = make(store, 120, items=1)
    pipeline = store.create_pipeline(
        PipelineIn(name="p", template_id=template_id, entity_id=entity_id, artifact_ids=ids)
    )
    config = build_run_config(store, pipeline)
    assert set(config["execution"]["config"]) == {"multiprocess"}
    assert config["ops"]["plan_chunks"]["config"]["chunk_size"] < 120
    few = store.create_pipeline(
        PipelineIn(name="q", template_id=template_id, entity_id=entity_id, artifact_ids=ids[:3])
    )
    assert build_run_config(store, few)["execution"]["config"] == {"in_process": {}}
    assert run_chunks.chunk_size(10_000, 0, 2) == 500 and run_chunks.chunk_size(3, 0, 2) == 3
    assert run_chunks.chunk_size(4, 40 * 1024 * 1024, 2) == 1  # four big PDFs: one per step
