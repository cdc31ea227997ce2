"""Names and vocabularies of the universal_pipelines data model: the one place each is spelled."""

from __future__ import annotations

from typing import Literal, get_args

SCHEMA = "universal_pipelines"
DEFAULT_ENTITY_SCHEMA = "entities"

# The vocabularies as types (the models validate with them); a tuple of the values where code lists them.
Strategy = Literal["dom_selection", "json_path", "table_detection", "key_value", "ocr_text", "ai_extraction"]
LoadStrategy = Literal["append", "upsert", "replace"]
FailurePolicy = Literal["fail_fast", "continue"]
FieldType = Literal["string", "integer", "decimal", "date", "boolean"]
TransformKind = Literal["trim", "lower", "upper", "regex_replace", "parse_number"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)

# Entity column types a user may choose, and the Postgres type each becomes. Nothing else reaches DDL.
COLUMN_TYPES: dict[str, str] = {
    "text": "text",
    "integer": "integer",
    "bigint": "bigint",
    "decimal": "numeric",
    "double": "double precision",
    "date": "date",
    "timestamp": "timestamptz",
    "boolean": "boolean",
    "json": "jsonb",
}


LOCATION = "universal_pipelines"
JOB = "universal_pipeline"
