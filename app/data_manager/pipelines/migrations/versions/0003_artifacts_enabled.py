"""Artifact `enabled`: a disabled artifact stays in its pipelines but is skipped by their runs.

Revision ID: 0003
Revises: 0002
Create Date: 2027-01-20
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "universal_pipelines"


def upgrade() -> None:
    op.execute(f"ALTER TABLE {S}.artifacts ADD COLUMN enabled boolean NOT NULL DEFAULT true")


def downgrade() -> None:
    op.execute(f"ALTER TABLE {S}.artifacts DROP COLUMN enabled")
