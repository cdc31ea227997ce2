"""The universal job: `plan_chunks` -> `extract_chunk` (one step per chunk of artifacts) -> `load_data`.

Chunks are Dagster dynamic outputs, so they run in parallel (the multiprocess executor, chosen at
launch for runs with several chunks) and, later, on other workers. Each chunk step stages its records
in Postgres (run_chunks.py) and is safe to run twice; `load_data` loads all of them in one transaction,
exactly once. Counts go to the steps' metadata and to pipeline_runs.
"""

from typing import Any, Optional

import dagster as dg
from dagster_code.universal_pipelines.resources import PipelinesDatabase
from pydantic import ValidationError

from data_manager.errors import UserError
from data_manager.pipelines import run_chunks
from data_manager.pipelines.event_store import EventStore
from data_manager.pipelines.extraction import FETCH_EVENT, MAX_LISTED, ExtractionFailed, extract_artifacts
from data_manager.pipelines.findings import ARTIFACT_DISABLED
from data_manager.pipelines.loading import LoadFailed
from data_manager.pipelines.models import Expect, TemplateField, error_lines
from data_manager.pipelines.schema import JOB, FailurePolicy, LoadStrategy, Strategy
from data_manager.pipelines.strategies import ExtractionSpec


class ExtractionConfig(dg.Config):
    """What to extract: the template's strategy and fields, and the artifacts to read (ids), in chunks.

    Each field mapping is a `TemplateField` and `expect` an `Expect` as JSON: the pydantic models check them
    in `plan_chunks`, so the run config restates none of their fields."""

    pipeline_id: int
    source_ids: list[int]
    template_id: int
    extraction_strategy: Strategy
    strategy_config: dict[str, Any] = {}
    field_mappings: list[dict[str, Any]]
    failure_policy: FailurePolicy = "fail_fast"
    expect: Optional[dict[str, Any]] = None  # noqa: UP045 - dagster config needs Optional
    chunk_size: int = run_chunks.MAX_CHUNK_ARTIFACTS


class LoadingConfig(dg.Config):
    """Where and how to load: the entity (its table) and the load strategy."""

    pipeline_id: int
    entity_id: int
    load_strategy: LoadStrategy = "append"
    batch_size: int = 1000
    failure_policy: FailurePolicy = "fail_fast"


@dg.op(
    out=dg.DynamicOut(dict),
    description="Check the template and split the pipeline's artifacts into chunks, one extraction step each.",
)
def plan_chunks(context: dg.OpExecutionContext, config: ExtractionConfig):
    try:
        fields = [TemplateField(**mapping) for mapping in config.field_mappings]
    except ValidationError as exc:
        raise dg.Failure(description="field_mappings: " + "; ".join(error_lines(exc))) from None
    try:
        expect = Expect(**config.expect) if config.expect else None
    except ValidationError as exc:
        raise dg.Failure(description="expect: " + "; ".join(error_lines(exc))) from None
    chunks = run_chunks.chunks_of(config.source_ids, config.chunk_size)
    context.log.info(f"{len(config.source_ids)} artifact(s) in {len(chunks)} chunk(s) of up to {config.chunk_size}")
    spec = {
        "pipeline_id": config.pipeline_id,
        "strategy": config.extraction_strategy,
        "strategy_config": config.strategy_config,
        "fields": [f.model_dump(mode="json") for f in fields],
        "expect": expect.model_dump() if expect else None,
        "failure_policy": config.failure_policy,
        "artifacts_total": len(config.source_ids),
    }
    for number, ids in enumerate(chunks):
        yield dg.DynamicOutput({**spec, "chunk": number, "artifact_ids": ids}, mapping_key=f"chunk_{number}")


@dg.op(description="Read one chunk of artifacts, extract typed records, stage them with their counts.")
def extract_chunk(context: dg.OpExecutionContext, pipelines_db: PipelinesDatabase, chunk: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    fields = [TemplateField(**f) for f in chunk["fields"]]
    expect = Expect(**chunk["expect"]) if chunk.get("expect") else None
    spec = ExtractionSpec(chunk["strategy"], chunk["strategy_config"], fields, expect)
    store = pipelines_db.store()
    number, ids = chunk["chunk"], chunk["artifact_ids"]
    run_chunks.start_chunk(store, context.run_id, number, chunk["pipeline_id"], len(ids))

    def progress(done: int, records: int) -> None:
        run_chunks.chunk_progress(store, context.run_id, number, done, records)
        context.log.info(f"chunk {number}: {done}/{len(ids)} artifacts, {records} records")

    try:
        result = extract_artifacts(store, spec, ids, chunk["failure_policy"], context.run_id, progress=progress)
    except ExtractionFailed as exc:
        if exc.result is not None:
            run_chunks.finish_chunk(store, context.run_id, number, fields, exc.result, keep_records=False)
        raise dg.Failure(description=str(exc), metadata=_counts_metadata(exc.result.all_counts()) if exc.result else None) from None  # fmt: skip
    except UserError as exc:
        raise dg.Failure(description=str(exc)) from None
    if result.fetched:
        EventStore(pipelines_db.settings()).bulk_write_events(
            {"event_type": FETCH_EVENT, "event_data": fetched} for fetched in result.fetched
        )
    for failure in result.failures:
        context.log.warning(f"failed: {failure}")
    if result.artifacts_skipped:
        context.log.info(f"chunk {number}: {result.artifacts_skipped} artifact(s) skipped: {ARTIFACT_DISABLED}")
    run_chunks.finish_chunk(store, context.run_id, number, fields, result)
    context.log.info(f"chunk {number}: {result.artifacts} artifacts, {len(result.records)} records staged")
    counts = result.all_counts()
    context.add_output_metadata(
        {**_counts_metadata(counts), "artifacts_failed": len(result.failed_artifact_ids),
         **{f"seconds_{s}": v for s, v in result.seconds.items()}}
    )  # fmt: skip
    return {"run_id": context.run_id, "chunk": number, "records": len(result.records), "failed": result.failure_count}


def _counts_metadata(counts: dict[str, Any]) -> dict[str, Any]:
    metadata: dict[str, Any] = {f"chunk_{k}": v for k, v in counts.items() if isinstance(v, int)}
    metadata["skipped_by_kind"] = dg.MetadataValue.json(counts.get("skipped_by_kind") or {})
    return metadata


@dg.op(description="Load every chunk's staged records into the entity (append, upsert or replace), exactly once.")
def load_data(
    context: dg.OpExecutionContext, config: LoadingConfig, pipelines_db: PipelinesDatabase, chunks: list[dict[str, Any]]
) -> dg.Output[dict[str, Any]]:
    store = pipelines_db.store()
    refs = sorted((c["run_id"], c["chunk"]) for c in chunks)
    try:
        entity = store.get_entity(config.entity_id)
        result, staged, loaded_now = run_chunks.load_staged(
            store, entity, refs, context.run_id, config.pipeline_id, config.load_strategy, config.batch_size,
            config.failure_policy,
        )  # fmt: skip
    except (LoadFailed, UserError) as exc:
        raise dg.Failure(description=str(exc)) from None
    for failure in result.failures:
        context.log.warning(f"record {failure['record']} (artifact {failure['artifact_id']}): {failure['errors']}")
    where = f"{entity.schema_name}.{entity.table_name}"
    if loaded_now:
        context.log.info(f"loaded {result.loaded} records into {where}")
    else:
        context.log.info(f"these chunks were loaded before ({result.loaded} records into {where}); nothing loaded twice")  # fmt: skip
    counts = run_chunks.run_counts_after_load(staged, result)
    failures = (staged.failures + result.failures)[:MAX_LISTED]
    metadata = {
        **{k: v for k, v in counts.items() if isinstance(v, int)},
        "skipped_by_kind": dg.MetadataValue.json(counts.get("skipped_by_kind") or {}),
        "failures": dg.MetadataValue.json(failures),
        "skipped": dg.MetadataValue.json(staged.skipped[:MAX_LISTED]),
        "batches": result.batches,
        "seconds_load": result.seconds,
        "table": where,
    }
    return dg.Output({"records_loaded": result.loaded}, metadata=metadata)


@dg.job(
    name=JOB,
    description="Extract records from a pipeline's artifacts with its template (in parallel chunks), then load them.",
    executor_def=dg.multi_or_in_process_executor,
    tags={"kind": "universal_pipeline"},
)
def universal_pipeline() -> None:
    load_data(plan_chunks().map(extract_chunk).collect())
