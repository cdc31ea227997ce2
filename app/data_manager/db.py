"""Small psycopg 3 helpers shared by every module that talks to Postgres."""

from __future__ import annotations

import psycopg
from psycopg import sql

from data_manager.errors import UserError
from data_manager.settings import PostgresSettings


def connect(settings: PostgresSettings | None = None, database: str | None = None, **kwargs) -> psycopg.Connection:
    """Open a connection, turning connection failures into a one-line UserError without secrets."""
    settings = settings or PostgresSettings.from_env()
    try:
        return psycopg.connect(**settings.connect_kwargs(database), connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise UserError(f"cannot connect to Postgres at {settings.safe_description()}: {reason}") from None


def ensure_database(settings: PostgresSettings, database: str) -> bool:
    """Create `database` if it is missing. Returns True when it was created."""
    with connect(settings, database="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        return True
