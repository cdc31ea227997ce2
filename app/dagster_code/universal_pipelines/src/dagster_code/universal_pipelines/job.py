"""The universal job: typed configs built from the records, and the two ops every pipeline shares."""

from typing import Any, Optional

import dagster as dg
from dagster_code.universal_pipelines.resources import PipelinesDatabase
from pydantic import ValidationError

from data_manager.errors import UserError
from data_manager.ingestion.events.store import EventStore
from data_manager.pipelines.extraction import FETCH_EVENT, ExtractionFailed, extract_artifacts
from data_manager.pipelines.loading import LoadFailed, load_records
from data_manager.pipelines.models import TemplateField, error_lines
from data_manager.pipelines.schema import JOB
from data_manager.pipelines.strategies import ExtractionSpec


class TransformConfig(dg.Config):
    kind: str
    pattern: Optional[str] = None  # noqa: UP045 - dagster config needs Optional
    replacement: str = ""
    locale: str = "en"


class FieldMappingConfig(dg.Config):
    """One template field; `default_value` travels as text and is converted like an extracted value."""

    name: str
    field_type: str = "string"
    selector: Optional[str] = None  # noqa: UP045
    required: bool = False
    transforms: list[TransformConfig] = []
    default_value: Optional[str] = None  # noqa: UP045
    date_formats: list[str] = []


class ExtractionConfig(dg.Config):
    """What to extract: the template's strategy and fields, and the artifacts to read (ids)."""

    pipeline_id: int
    source_ids: list[int]
    template_id: int
    extraction_strategy: str
    strategy_config: dict[str, Any] = {}
    field_mappings: list[FieldMappingConfig]
    failure_policy: str = "fail_fast"


class LoadingConfig(dg.Config):
    """Where and how to load: the entity (its table) and the load strategy."""

    pipeline_id: int
    entity_id: int
    load_strategy: str = "append"
    batch_size: int = 1000
    failure_policy: str = "fail_fast"


@dg.op(description="Read every artifact and extract typed records with the template's strategy.")
def extract_data(
    context: dg.OpExecutionContext, config: ExtractionConfig, pipelines_db: PipelinesDatabase
) -> dg.Output[dict[str, Any]]:
    try:
        fields = [TemplateField(**mapping.model_dump()) for mapping in config.field_mappings]
    except ValidationError as exc:
        raise dg.Failure(description="field_mappings: " + "; ".join(error_lines(exc))) from None
    spec = ExtractionSpec(config.extraction_strategy, config.strategy_config, fields)
    store = pipelines_db.store()
    try:
        result = extract_artifacts(
            store, spec, config.source_ids, config.failure_policy, context.run_id, progress=context.log.info
        )
    except (ExtractionFailed, UserError) as exc:
        raise dg.Failure(description=str(exc)) from None
    if result.fetched:
        written = EventStore(pipelines_db.settings()).bulk_write_events(
            {"event_type": FETCH_EVENT, "event_data": fetched} for fetched in result.fetched
        )
        context.log.info(f"logged {written['events_created']} fetched artifact(s) in the event store")
    for failure in result.failures:
        context.log.warning(f"failed: {failure}")
    metadata: dict[str, Any] = {
        "records_extracted": len(result.records),
        "artifacts": result.artifacts,
        "artifacts_failed": len(result.failed_artifact_ids),
        "records_failed": len(result.failures),
        "failures": dg.MetadataValue.json([f.as_dict() for f in result.failures]),
        **{f"seconds_{strategy}": seconds for strategy, seconds in result.seconds.items()},
    }
    value = {
        "records": result.records,
        "record_artifacts": result.record_artifacts,
        "failures": [f.as_dict() for f in result.failures],
    }
    return dg.Output(value, metadata=metadata)


@dg.op(description="Type the records to the entity's columns and load them (append, upsert or replace).")
def load_data(
    context: dg.OpExecutionContext, config: LoadingConfig, pipelines_db: PipelinesDatabase, extraction: dict[str, Any]
) -> dg.Output[dict[str, Any]]:
    store = pipelines_db.store()
    try:
        entity = store.get_entity(config.entity_id)
        result = load_records(
            pipelines_db.settings(),
            entity,
            extraction["records"],
            config.load_strategy,
            config.batch_size,
            config.failure_policy,
            extraction["record_artifacts"],
        )
    except (LoadFailed, UserError) as exc:
        raise dg.Failure(description=str(exc)) from None
    for failure in result.failures:
        context.log.warning(f"record {failure['record']} (artifact {failure['artifact_id']}): {failure['errors']}")
    failures = extraction["failures"] + result.failures
    context.log.info(f"loaded {result.loaded} records into {entity.schema_name}.{entity.table_name}")
    metadata = {
        "records_loaded": result.loaded,
        "records_failed": len(failures),
        "failures": dg.MetadataValue.json(failures),
        "batches": result.batches,
        "seconds_load": result.seconds,
        "table": f"{entity.schema_name}.{entity.table_name}",
    }
    return dg.Output({"records_loaded": result.loaded}, metadata=metadata)


@dg.job(
    name=JOB,
    description="Extract records from a pipeline's artifacts with its template, then load them into its entity.",
    executor_def=dg.in_process_executor,
    tags={"kind": "universal_pipeline"},
)
def universal_pipeline() -> None:
    load_data(extract_data())
