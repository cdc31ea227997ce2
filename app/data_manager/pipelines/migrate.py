"""Apply the alembic migrations of the `universal_pipelines` schema to the platform database.

The alembic configuration is built here (no alembic.ini): the scripts live in this package and the
version table sits in the schema it versions. An advisory lock lets `make dev`, compose and tests
migrate the same database at once without racing.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from data_manager.pipelines.schema import SCHEMA
from data_manager.settings import PostgresSettings

SCRIPTS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


def _engine(settings: PostgresSettings):
    url = URL.create(
        "postgresql+psycopg",
        username=settings.user,
        password=settings.password or None,
        host=settings.host,
        port=settings.port,
        database=settings.database,
    )
    return create_engine(url, poolclass=None, connect_args={"connect_timeout": 10})


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(settings: PostgresSettings | None = None) -> str | None:
    """The revision the database is at (None before the first migration)."""
    engine = _engine(settings or PostgresSettings.from_env())
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"version_table_schema": SCHEMA, "version_table": VERSION_TABLE}
            )
            return context.get_current_revision()
    finally:
        engine.dispose()


def upgrade(settings: PostgresSettings | None = None, revision: str = "head") -> str:
    """Migrate to `revision`; returns the revision the database is at afterwards.

    Creates the database first when it is missing: `make dev` migrates before serve starts (which creates
    the platform's databases otherwise). An unreachable server is a clear one-line error.
    """
    from data_manager.db import ensure_database

    settings = settings or PostgresSettings.from_env()
    ensure_database(settings, settings.database)
    return _migrate(settings, command.upgrade, revision)


def downgrade(settings: PostgresSettings | None = None, revision: str = "-1") -> str:
    """Migrate down to `revision` (default: one step); returns the revision the database is at afterwards."""
    return _migrate(settings or PostgresSettings.from_env(), command.downgrade, revision)


def _migrate(settings: PostgresSettings, step, revision: str) -> str:
    engine = _engine(settings)
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('data_manager.pipelines.migrate'))"))
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"'))
            config = alembic_config()
            config.attributes["connection"] = conn
            step(config, revision)
    finally:
        engine.dispose()
    return current_revision(settings) or ""
