"""The records of the data model as pydantic models: validation of user input lives here, once.

Every model is used by the API (request bodies), the CLI and the Dagster job's typed configs, so a
malformed template is rejected with the path of each bad field before anything is stored or launched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from daglab.models import RUN_STATUSES
from data_manager.ingestion.naming import POSTGRES_MAX_IDENTIFIER
from data_manager.pipelines.schema import (
    COLUMN_TYPES,
    DEFAULT_ENTITY_SCHEMA,
    FailurePolicy,
    FieldType,
    LoadStrategy,
    Strategy,
    TransformKind,
)

IDENTIFIER_PATTERN = rf"^[a-z_][a-z0-9_]{{0,{POSTGRES_MAX_IDENTIFIER - 1}}}$"
# A Postgres identifier the pipelines write (tables, schemas, columns, fields); the schema states its length too.
Identifier = Annotated[str, Field(pattern=IDENTIFIER_PATTERN, json_schema_extra={"maxLength": POSTGRES_MAX_IDENTIFIER})]
# A run's status is Dagster's: the schema lists daglab's spelling (the designer's types come from it), any string
# stored passes (a status a newer Dagster adds must not fail an answer).
RUN_STATUS_SCHEMA = {"type": "string", "enum": list(RUN_STATUSES)}


# The API's schema tells apart what a client may leave out (a default, in a request) from what an answer always
# holds (every field, in a response): the designer's generated types are exact both ways.
SCHEMA_CONFIG = ConfigDict(json_schema_serialization_defaults_required=True)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", **SCHEMA_CONFIG)


class Transform(Strict):
    """One step applied to a field's raw text, in order, before type conversion."""

    kind: TransformKind
    pattern: str | None = None
    replacement: str = ""
    locale: Literal["en", "de", "fr"] = "en"

    @model_validator(mode="after")
    def _pattern_for_regex(self) -> Transform:
        if self.kind == "regex_replace" and not self.pattern:
            raise ValueError("regex_replace needs `pattern`")
        return self


class TemplateField(Strict):
    name: Identifier
    field_type: FieldType = "string"
    selector: str | None = None
    required: bool = False
    transforms: list[Transform] = []
    default_value: Any = None
    date_formats: list[str] = []


class Expect(Strict):
    """What every document must yield, or the artifact fails (fail_fast) or is counted as failed (continue)."""

    min_records: int | None = Field(None, ge=1, description="at least this many records per document")
    every_page: bool = Field(False, description="at least one record from every page read (PDF)")


class TemplateIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    extraction_strategy: Strategy
    strategy_config: dict[str, Any] = {}
    fields: list[TemplateField] = Field(min_length=1)
    expect: Expect | None = None
    enabled: bool = True

    @field_validator("fields")
    @classmethod
    def _unique_names(cls, fields: list[TemplateField]) -> list[TemplateField]:
        names = [f.name for f in fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate field names: {', '.join(duplicates)}")
        return fields


class Template(TemplateIn):
    id: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class EntityColumn(Strict):
    name: Identifier
    type: Literal[tuple(COLUMN_TYPES)]  # type: ignore[valid-type]
    nullable: bool = True


class EntityIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    schema_name: Identifier = DEFAULT_ENTITY_SCHEMA
    table_name: Identifier
    columns: list[EntityColumn] = Field(min_length=1)
    unique_fields: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> EntityIn:
        names = [c.name for c in self.columns]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate column names: {', '.join(duplicates)}")
        unknown = [f for f in self.unique_fields if f not in names]
        if unknown:
            raise ValueError(f"unique_fields not among the columns: {', '.join(unknown)}")
        return self


class Entity(EntityIn):
    id: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ArtifactIn(Strict):
    """A source document: bytes (uploaded) or a file path / http(s) URL read at run time.

    A disabled artifact stays in its pipelines, but their runs skip it (counted, with the reason)."""

    name: str = Field(min_length=1, max_length=500)
    media_type: str = Field(min_length=1)
    location: str | None = None
    enabled: bool = True


class Artifact(ArtifactIn):
    id: int
    size_bytes: int | None = None
    sha256: str | None = None
    stored: bool = False
    created_at: datetime | None = None


class PipelineIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    template_id: int
    entity_id: int
    artifact_ids: list[int] = []
    load_strategy: LoadStrategy = "append"
    batch_size: int = Field(1000, ge=1, le=1_000_000)
    failure_policy: FailurePolicy = "fail_fast"
    enabled: bool = True


class Pipeline(PipelineIn):
    id: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_run_id: str | None = None  # filled by the pipeline list
    last_run_status: str | None = Field(None, json_schema_extra={"anyOf": [RUN_STATUS_SCHEMA, {"type": "null"}]})


class PipelineRun(BaseModel):
    model_config = SCHEMA_CONFIG

    id: int
    pipeline_id: int | None
    dagster_run_id: str
    status: str = Field(json_schema_extra=RUN_STATUS_SCHEMA)
    started_at: datetime | None = None
    completed_at: datetime | None = None
    records_extracted: int | None = None
    records_loaded: int | None = None
    records_failed: int | None = None
    error: str | None = None
    logs: list[dict[str, Any]] = []
    counts: dict[str, Any] | None = None  # tables and rows found, used, skipped; skipped rows by reason
    progress: dict[str, int] | None = None  # while it runs: artifacts_done, artifacts_total, records_so_far
    created_at: datetime | None = None
    updated_at: datetime | None = None


def error_lines(exc: Exception) -> list[str]:
    """`loc: message` for each error of a pydantic ValidationError (or the message of anything else)."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        return [f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['msg']}" for e in exc.errors()]
    return [str(exc)]
