"""Documents at scale: artifact bytes in 1 MiB chunks with their sha256, template `enabled` and `expect`,
run counts, and the chunks of a run (progress, staged records, exactly-once loads).

Revision ID: 0002
Revises: 0001
Create Date: 2027-01-10
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "universal_pipelines"


def upgrade() -> None:
    op.execute(f"""
    ALTER TABLE {S}.templates ADD COLUMN enabled boolean NOT NULL DEFAULT true;
    ALTER TABLE {S}.templates ADD COLUMN expect jsonb;

    CREATE TABLE {S}.artifact_chunks (
        artifact_id bigint NOT NULL REFERENCES {S}.artifacts (id) ON DELETE CASCADE,
        position integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (artifact_id, position)
    );
    ALTER TABLE {S}.artifacts ADD COLUMN sha256 text;
    INSERT INTO {S}.artifact_chunks (artifact_id, position, data)
        SELECT id, 0, content FROM {S}.artifacts WHERE content IS NOT NULL AND length(content) > 0;
    UPDATE {S}.artifacts SET sha256 = encode(sha256(content), 'hex') WHERE content IS NOT NULL;
    ALTER TABLE {S}.artifacts DROP COLUMN content;
    CREATE INDEX artifacts_sha256_idx ON {S}.artifacts (sha256) WHERE location IS NULL;

    ALTER TABLE {S}.pipeline_runs ADD COLUMN counts jsonb;

    CREATE TABLE {S}.run_chunks (
        run_id text NOT NULL,
        chunk integer NOT NULL,
        pipeline_id bigint,
        artifacts_total integer NOT NULL,
        artifacts_done integer NOT NULL DEFAULT 0,
        records_so_far integer NOT NULL DEFAULT 0,
        fields jsonb,
        records jsonb,
        record_artifacts bigint[],
        counts jsonb,
        failures jsonb,
        skipped jsonb,
        finished_at timestamptz,
        loaded_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, chunk)
    );
    CREATE INDEX run_chunks_created_at_idx ON {S}.run_chunks (created_at);
    """)


def downgrade() -> None:
    op.execute(f"""
    DROP TABLE {S}.run_chunks;
    ALTER TABLE {S}.pipeline_runs DROP COLUMN counts;
    ALTER TABLE {S}.artifacts ADD COLUMN content bytea;
    UPDATE {S}.artifacts a SET content = coalesce(
        (SELECT string_agg(data, ''::bytea ORDER BY position) FROM {S}.artifact_chunks c WHERE c.artifact_id = a.id),
        ''::bytea) WHERE a.location IS NULL;
    ALTER TABLE {S}.artifacts DROP COLUMN sha256;
    ALTER TABLE {S}.artifacts ADD CHECK ((content IS NULL) <> (location IS NULL));
    DROP TABLE {S}.artifact_chunks;
    ALTER TABLE {S}.templates DROP COLUMN expect;
    ALTER TABLE {S}.templates DROP COLUMN enabled;
    """)
