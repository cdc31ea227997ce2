"""Keep `pipeline_runs` in step with Dagster for every run of `universal_pipeline`, wherever it was launched.

Each tick reads the runs updated since the cursor (a second of overlap: writes are idempotent upserts)
and copies status, times, the failure message and the counts: from `load_data`'s output metadata
(which also wrote them itself, in its load's transaction), or, for a run that ended before loading,
the counts its chunks staged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dagster as dg
from dagster_code.universal_pipelines.resources import PipelinesDatabase

from data_manager.pipelines.run_chunks import chunk_counts
from data_manager.pipelines.runs import pipeline_id_of, settled_loaded
from data_manager.pipelines.schema import JOB
from data_manager.pipelines.store import PipelineStore

COUNTS = ("records_extracted", "records_loaded", "records_failed")
COUNTING_STEPS = ("load_data", "extract_data")  # extract_data: runs from before chunks


def run_values(instance: dg.DagsterInstance, record: Any, store: PipelineStore | None = None) -> dict[str, Any]:
    """Status, times, error and counts of one run record, as pipeline_runs columns."""
    run = record.dagster_run
    values: dict[str, Any] = {"status": run.status.value}
    if record.start_time:
        values["started_at"] = datetime.fromtimestamp(record.start_time, UTC)
    if record.end_time:
        values["completed_at"] = datetime.fromtimestamp(record.end_time, UTC)
    if not run.is_finished:
        return values
    events = instance.all_logs(
        run.run_id,
        of_type={dg.DagsterEventType.STEP_OUTPUT, dg.DagsterEventType.STEP_FAILURE, dg.DagsterEventType.RUN_FAILURE},
    )
    errors: list[str] = []
    for entry in events:
        event = entry.dagster_event
        if event.event_type == dg.DagsterEventType.STEP_OUTPUT:
            if event.step_key not in COUNTING_STEPS:
                continue
            metadata = event.step_output_data.metadata
            for name in COUNTS:
                if name in metadata:
                    values[name] = int(metadata[name].value)
            if "failures" in metadata:
                values["logs"] = metadata["failures"].value
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            data = event.step_failure_data
            user = data.user_failure_data
            errors.append(f"{event.step_key}: {user.description if user and user.description else data.error.message}")
        elif not errors and entry.message:
            errors.append(entry.message)
    if errors and run.status.value != "SUCCESS":
        values["error"] = "\n".join(errors)[:4000]
    if "records_extracted" not in values and store is not None:
        counts = chunk_counts(store, run.run_id)
        if counts:
            values.update({name: counts[name] for name in COUNTS if name in counts}, counts=counts)
    if "records_extracted" in values:
        values["records_loaded"] = settled_loaded(values["records_extracted"], values.get("records_loaded"))
    return values


@dg.sensor(
    name="pipeline_runs_sensor",
    minimum_interval_seconds=5,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Copies status, times, errors and counts of universal_pipeline runs into pipeline_runs.",
)
def pipeline_runs_sensor(context: dg.SensorEvaluationContext, pipelines_db: PipelinesDatabase) -> dg.SkipReason:
    since = float(context.cursor or 0)
    records = context.instance.get_run_records(
        filters=dg.RunsFilter(job_name=JOB, updated_after=datetime.fromtimestamp(max(since - 1, 0), UTC)),
        order_by="update_timestamp",
        ascending=True,
        limit=500,
    )
    store = pipelines_db.store()
    synced = 0
    for record in records:
        run = record.dagster_run
        pipeline_id = pipeline_id_of(run.run_config)
        if pipeline_id is None:
            continue
        store.record_run(pipeline_id, run.run_id, **run_values(context.instance, record, store))
        synced += 1
        since = max(since, record.update_timestamp.timestamp())
    context.update_cursor(str(since))
    return dg.SkipReason(f"synced {synced} run(s) into pipeline_runs")
