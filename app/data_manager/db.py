"""Which Postgres the platform uses, and small psycopg 3 helpers for every module that talks to it."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg import sql

from data_manager.errors import ServiceUnavailable, UserError
from data_manager.settings import PostgresSettings, env, env_int, is_set

EMBEDDED_HOST = "127.0.0.1"


@dataclass(frozen=True)
class PlatformDatabase:
    """The platform's Postgres: the configured server, or the embedded one `make dev` runs under `.data/`."""

    settings: PostgresSettings
    embedded: bool

    def describe(self) -> str:
        kind = "embedded Postgres (started by `make dev`)" if self.embedded else "Postgres"
        return f"{kind} at {self.settings.safe_description()}"


@functools.cache
def platform_database() -> PlatformDatabase:
    """Decide once per process: POSTGRES_HOST set means that server, else the embedded one.

    The choice is exported as POSTGRES_HOST/PORT/USER, so every module and child process that reads
    the settings (syncs, dbt profiles, dagster.yaml) reaches the same server. Every command calls this
    first (the CLI's entry point); `make dev` also starts the embedded server when it is chosen.
    """
    if is_set("POSTGRES_HOST"):
        return PlatformDatabase(PostgresSettings.from_env(), embedded=False)
    port = env_int("EMBEDDED_POSTGRES_PORT")
    os.environ.update({"POSTGRES_HOST": EMBEDDED_HOST, "POSTGRES_PORT": str(port), "POSTGRES_USER": "postgres"})
    os.environ.setdefault("POSTGRES_PASSWORD", "")
    return PlatformDatabase(PostgresSettings.from_env(), embedded=True)


def postgres_answers(settings: PostgresSettings) -> str | None:
    """None when the server answers `SELECT 1`, else the one-line reason."""
    try:
        with connect(settings) as conn:
            conn.execute("SELECT 1")
    except UserError as exc:
        return str(exc)
    return None


def ensure_platform_databases(say: Callable[[str], None], settings: PostgresSettings | None = None) -> None:
    """Create the data and Dagster databases on first start (the postgres image creates only one)."""
    settings = settings or PostgresSettings.from_env()
    for database in (env("POSTGRES_DB"), env("DAGSTER_POSTGRES_DB")):
        try:
            if ensure_database(settings, database):
                say(f"created database {database}")
        except UserError as exc:
            say(f"warning: {exc}")


def connect(settings: PostgresSettings | None = None, database: str | None = None, **kwargs) -> psycopg.Connection:
    """Open a connection, turning connection failures into a one-line UserError without secrets."""
    settings = settings or PostgresSettings.from_env()
    try:
        return psycopg.connect(
            **settings.connect_kwargs(database), connect_timeout=kwargs.pop("connect_timeout", 10), **kwargs
        )
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise ServiceUnavailable(f"cannot connect to Postgres at {settings.safe_description()}: {reason}") from None


def ensure_database(settings: PostgresSettings, database: str) -> bool:
    """Create `database` if it is missing. Returns True when it was created."""
    with connect(settings, database="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        return True
