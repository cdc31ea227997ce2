"""Names and vocabularies of the universal_pipelines data model: the one place each is spelled."""

from __future__ import annotations

SCHEMA = "universal_pipelines"
DEFAULT_ENTITY_SCHEMA = "entities"

STRATEGIES = ("dom_selection", "json_path", "table_detection", "key_value", "ocr_text", "ai_extraction")
LOAD_STRATEGIES = ("append", "upsert", "replace")
FAILURE_POLICIES = ("fail_fast", "continue")
FIELD_TYPES = ("string", "integer", "decimal", "date", "boolean")
TRANSFORMS = ("trim", "lower", "upper", "regex_replace", "parse_number")

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
