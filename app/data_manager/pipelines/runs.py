"""Launch and watch pipeline runs: run config from the records, launch through daglab, pipeline_runs rows.

Used by the API routes and the CLI alike. Dagster errors stay daglab's typed errors so each caller
maps them once (HTTP status, or daglab's exit codes).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from daglab import DagsterClient
from daglab.models import FINISHED_STATUSES, LogPage, RunInfo
from data_manager.errors import UserError
from data_manager.pipelines.loading import check_mapping
from data_manager.pipelines.models import Pipeline, PipelineRun, TemplateField
from data_manager.pipelines.run_chunks import chunk_counts, chunk_size, run_progress
from data_manager.pipelines.schema import JOB, LOCATION
from data_manager.pipelines.store import PipelineStore
from data_manager.pipelines.template_checks import runnable_problems, spec_of
from data_manager.run_errors import failure_text
from data_manager.webserver import default_webserver_url

PIPELINE_TAG = "universal_pipelines/pipeline_id"
# Step processes of a parallel run fork from a server that imported these once.
STEP_PRELOAD = ["dagster_code.universal_pipelines", "data_manager.pipelines.extraction", "pdfplumber"]


class InvalidPipeline(UserError):
    """The records do not make a runnable pipeline; `errors` lists every problem."""

    def __init__(self, pipeline_id: int, errors: list[str]) -> None:
        super().__init__(f"pipeline {pipeline_id} cannot run: " + "; ".join(errors))
        self.errors = errors


def build_run_config(store: PipelineStore, pipeline: Pipeline) -> dict[str, Any]:
    """The `universal_pipeline` run config for `pipeline`, or InvalidPipeline listing every error.

    Runs of many (or large) artifacts extract in chunks on the multiprocess executor, one step per chunk
    and as many at once as the machine has cores; small runs stay in one process (no step start-up cost).
    """
    template = store.get_template(pipeline.template_id)
    entity = store.get_entity(pipeline.entity_id)
    errors = [] if pipeline.enabled else ["enabled: the pipeline is disabled"]
    if not template.enabled:
        errors.append(f"template_id: template {template.id} ({template.name}) is disabled")
    if not pipeline.artifact_ids:
        errors.append("artifact_ids: the pipeline has no artifacts")
    artifacts = store.artifacts(pipeline.artifact_ids)
    found = {a.id for a in artifacts}
    missing = [str(i) for i in pipeline.artifact_ids if i not in found]
    if missing:
        errors.append(f"artifact_ids: no artifact with id {', '.join(missing)}")
    if artifacts and not any(a.enabled for a in artifacts):
        errors.append("artifact_ids: every artifact is disabled (a run skips disabled ones)")
    errors += runnable_problems(spec_of(template))
    errors += check_mapping(template.fields, entity, pipeline.load_strategy)
    if errors:
        raise InvalidPipeline(pipeline.id, errors)
    size = chunk_size(len(pipeline.artifact_ids), sum(a.size_bytes or 0 for a in artifacts), os.cpu_count() or 1)
    extraction = {
        "pipeline_id": pipeline.id,
        "source_ids": pipeline.artifact_ids,
        "template_id": template.id,
        "extraction_strategy": template.extraction_strategy,
        "strategy_config": {k: v for k, v in template.strategy_config.items() if v is not None},
        "field_mappings": [field_mapping(f) for f in template.fields],
        "failure_policy": pipeline.failure_policy,
        "chunk_size": size,
    }
    if template.expect:
        extraction["expect"] = template.expect.model_dump(exclude_none=True)
    loading = {
        "pipeline_id": pipeline.id,
        "entity_id": entity.id,
        "load_strategy": pipeline.load_strategy,
        "batch_size": pipeline.batch_size,
        "failure_policy": pipeline.failure_policy,
    }
    parallel = size < len(pipeline.artifact_ids)
    execution = (
        {"multiprocess": {"start_method": {"forkserver": {"preload_modules": STEP_PRELOAD}}}}
        if parallel
        else {"in_process": {}}
    )
    return {
        "ops": {"plan_chunks": {"config": extraction}, "load_data": {"config": loading}},
        "execution": {"config": execution},
    }


def field_mapping(field: TemplateField) -> dict[str, Any]:
    """A field as run config: defaults travel as text (converted like extracted text), nulls left out."""
    mapping = field.model_dump(mode="json", exclude_none=True)
    if field.default_value is not None:
        mapping["default_value"] = str(field.default_value)
    return mapping


def pipeline_id_of(run_config: dict[str, Any]) -> int | None:
    """The pipeline a run belongs to, read from its config (works for runs launched anywhere)."""
    for op in ("plan_chunks", "extract_data"):  # extract_data: runs from before chunks
        try:
            return int(run_config["ops"][op]["config"]["pipeline_id"])
        except (KeyError, TypeError, ValueError):
            continue
    return None


def client(url: str | None = None, timeout: float = 30) -> DagsterClient:
    return DagsterClient(url=url or default_webserver_url(), timeout=timeout, max_retries=2)


def launch(store: PipelineStore, pipeline_id: int, url: str | None = None) -> PipelineRun:
    """Validate, launch through daglab, and write the pipeline_runs row (QUEUED until the sensor updates it)."""
    pipeline = store.get_pipeline(pipeline_id)
    run_config = build_run_config(store, pipeline)
    with client(url) as dagster:
        target = dagster.resolve_job(JOB, location=LOCATION)
        run_id = dagster.launch(target, run_config=run_config, tags={PIPELINE_TAG: str(pipeline_id)})
        status = dagster.run(run_id).status
    return store.record_run(pipeline_id, run_id, status)


def refresh(store: PipelineStore, run: PipelineRun, url: str | None = None) -> PipelineRun:
    """The run with Dagster's current status; once finished, its error and counts at once (not when the
    sensor next runs); while it runs, its progress."""
    if run.status not in FINISHED_STATUSES:
        with client(url) as dagster:
            info = dagster.run(run.dagster_run_id)
            values = status_values(info)
            if info.is_finished and info.status != "SUCCESS" and not run.error:
                values["error"] = failure_message(dagster.all_logs(run.dagster_run_id))
        if info.status != run.status or "error" in values:
            run = store.record_run(run.pipeline_id, run.dagster_run_id, **values)
    return with_counts(store, run)


def with_counts(store: PipelineStore, run: PipelineRun) -> PipelineRun:
    """`run` with its progress (live while it runs, final after) and the chunks' counts when no load wrote them.

    A finished run with counts but none loaded says 0 loaded, as the sensor records it: the answer does not
    depend on whether the sensor has run yet."""
    run.progress = run_progress(store, run.dagster_run_id)
    if run.counts is None:
        counts = chunk_counts(store, run.dagster_run_id)
        if counts:
            run.counts = counts
            if run.records_extracted is None:
                run.records_extracted = counts.get("records_extracted")
            if run.records_failed is None:
                run.records_failed = counts.get("records_failed")
    if run.status in FINISHED_STATUSES:
        run.records_loaded = settled_loaded(run.records_extracted, run.records_loaded)
    return run


def settled_loaded(records_extracted: int | None, records_loaded: int | None) -> int | None:
    """A finished run's loaded count: one that counted records but never loaded (or its load rolled back)
    loaded 0. The sensor and the API both settle it here, so the answer does not depend on which ran first."""
    return 0 if records_loaded is None and records_extracted is not None else records_loaded


def failure_message(events: list[Any]) -> str | None:
    """The steps' failure messages (as the sensor writes them), else the run's."""
    steps = [
        f"{e.step_key}: {failure_text(e.error or e.message)}"
        for e in events
        if e.event_type == "STEP_FAILURE" and e.step_key
    ]
    runs = [e.message for e in events if e.event_type == "RUN_FAILURE" and e.message]
    text = "\n".join(steps or runs)
    return text[:4000] or None


def status_values(info: RunInfo) -> dict[str, Any]:
    values: dict[str, Any] = {"status": info.status}
    if info.start_time:
        values["started_at"] = datetime.fromtimestamp(info.start_time, UTC)
    if info.end_time:
        values["completed_at"] = datetime.fromtimestamp(info.end_time, UTC)
    return values


def logs(run_id: str, cursor: str | None = None, url: str | None = None) -> LogPage:
    with client(url) as dagster:
        return dagster.logs(run_id, cursor=cursor)


def cancel(store: PipelineStore, pipeline_id: int, run_id: str, url: str | None = None) -> PipelineRun:
    run = store.get_run(run_id, pipeline_id)
    if run.status in FINISHED_STATUSES:
        raise UserError(f"run {run_id} already ended with {run.status}")
    with client(url) as dagster:
        info = dagster.terminate(run_id)
    return store.record_run(pipeline_id, run_id, **status_values(info))
