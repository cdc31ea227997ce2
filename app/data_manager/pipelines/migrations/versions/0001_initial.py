"""Initial universal_pipelines schema: pipelines, artifacts, templates, fields, entities, runs.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = "universal_pipelines"


def upgrade() -> None:
    op.execute(f"""
    CREATE TABLE {S}.templates (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL UNIQUE,
        description text NOT NULL DEFAULT '',
        extraction_strategy text NOT NULL CHECK (extraction_strategy IN
            ('dom_selection', 'json_path', 'table_detection', 'key_value', 'ocr_text', 'ai_extraction')),
        strategy_config jsonb NOT NULL DEFAULT '{{}}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE {S}.template_fields (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        template_id bigint NOT NULL REFERENCES {S}.templates (id) ON DELETE CASCADE,
        position integer NOT NULL,
        name text NOT NULL,
        field_type text NOT NULL CHECK (field_type IN ('string', 'integer', 'decimal', 'date', 'boolean')),
        selector text,
        required boolean NOT NULL DEFAULT false,
        transforms jsonb NOT NULL DEFAULT '[]',
        default_value jsonb,
        date_formats jsonb NOT NULL DEFAULT '[]',
        UNIQUE (template_id, name)
    );
    CREATE TABLE {S}.entities (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL UNIQUE,
        schema_name text NOT NULL DEFAULT 'entities',
        table_name text NOT NULL,
        columns jsonb NOT NULL,
        unique_fields jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (schema_name, table_name)
    );
    CREATE TABLE {S}.artifacts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL,
        media_type text NOT NULL,
        content bytea,
        location text,
        size_bytes bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((content IS NULL) <> (location IS NULL))
    );
    CREATE TABLE {S}.pipelines (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name text NOT NULL UNIQUE,
        description text NOT NULL DEFAULT '',
        template_id bigint NOT NULL REFERENCES {S}.templates (id),
        entity_id bigint NOT NULL REFERENCES {S}.entities (id),
        artifact_ids bigint[] NOT NULL DEFAULT '{{}}',
        load_strategy text NOT NULL DEFAULT 'append' CHECK (load_strategy IN ('append', 'upsert', 'replace')),
        batch_size integer NOT NULL DEFAULT 1000 CHECK (batch_size BETWEEN 1 AND 1000000),
        failure_policy text NOT NULL DEFAULT 'fail_fast' CHECK (failure_policy IN ('fail_fast', 'continue')),
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE {S}.pipeline_runs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        pipeline_id bigint REFERENCES {S}.pipelines (id) ON DELETE SET NULL,
        dagster_run_id text NOT NULL UNIQUE,
        status text NOT NULL,
        started_at timestamptz,
        completed_at timestamptz,
        records_extracted integer,
        records_loaded integer,
        records_failed integer,
        error text,
        logs jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX pipeline_runs_pipeline_id_idx ON {S}.pipeline_runs (pipeline_id, created_at DESC);
    CREATE INDEX pipeline_runs_status_idx ON {S}.pipeline_runs (status);
    """)


def downgrade() -> None:
    for table in ("pipeline_runs", "pipelines", "artifacts", "entities", "template_fields", "templates"):
        op.execute(f"DROP TABLE IF EXISTS {S}.{table}")
