"""Connection settings and well-known ports, read from the environment.

This module is the single source of truth for every port, database name and
environment variable the platform uses. `.env.example` is generated from
`ENV_DEFAULTS` (see `data-manager env-example`) and a test keeps it current.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

# Each variable with its default and a one-line explanation. Secrets have no default.
ENV_DEFAULTS: dict[str, tuple[str, str]] = {
    "POSTGRES_HOST": ("127.0.0.1", "Postgres host for Dagster storage, the cache and dbt"),
    "POSTGRES_PORT": ("5432", "Postgres port"),
    "POSTGRES_USER": ("postgres", "Postgres user"),
    "POSTGRES_PASSWORD": ("", "Postgres password (secret; empty means trust or .pgpass)"),
    "POSTGRES_DB": ("dataplatform", "Database for the cache, staging and reporting schemas"),
    "DAGSTER_POSTGRES_DB": ("dagster", "Database for Dagster's run, event and schedule storage"),
    "CACHE_SCHEMA": ("pyairbyte_cache", "Schema the syncs write raw tables into"),
    "DAGSTER_WEBSERVER_HOST": ("127.0.0.1", "Interface the webserver binds to on the host"),
    "DAGSTER_WEBSERVER_PORT": ("3000", "Webserver port (the only published port)"),
    "SAMPLE_API_PORT": ("8099", "Port of the sample products API"),
    "SAMPLE_API_URL": (
        "http://127.0.0.1:8099",
        "Base URL the sample connector reads (http://sample-api:8099 in compose)",
    ),
    "EMBEDDED_POSTGRES_PORT": ("5433", "Port of the embedded Postgres `make dev` starts when POSTGRES_HOST is unset"),
    "MAX_CONCURRENT_RUNS": ("4", "QueuedRunCoordinator limit"),
    "CODE_SERVER_MODE": (
        "proxy",
        "proxy: `dagster code-server start` (reloads code in place); direct: `dagster api grpc` (half the memory);"
        " compose defaults to direct",
    ),
    "RUN_LAUNCHER": (
        "default",
        "Compose: default runs in the code servers; docker: each run in its own container (mounts the Docker socket)",
    ),
    "COMPOSE_PROJECT_NAME": ("data-platform", "Compose project: names its containers, volumes and network"),
    "MYSQL_HOST": ("127.0.0.1", "MySQL/MariaDB host for the sql_sync sample"),
    "MYSQL_PORT": ("3306", "MySQL/MariaDB port"),
    "MYSQL_USER": ("root", "MySQL/MariaDB user"),
    "MYSQL_PASSWORD": ("", "MySQL/MariaDB password (secret)"),
    "MYSQL_DB": ("sample_shop", "Database the sql_sync sample reads"),
    "EXTERNAL_CONNECTORS_DIR": ("external-connectors", "Connector YAML folder (relative paths start at the repo root)"),
    "PYAIRBYTE_CACHES_FILE": ("external-connectors/_caches.yaml", "Optional named cache configurations for get_cache"),
    "AIRBYTE_INSTALL_DIR": (".data/airbyte", "Where PyAirbyte installs pip_url connectors (venvs reused between runs)"),
    "EVENT_STORE_SCHEMA": ("public", "Schema holding the events table"),
    "GRAPHQL_API_URL": ("http://127.0.0.1:8080/v1/graphql", "GraphQL endpoint for query_graphql_api"),
    "GRAPHQL_API_TOKEN": ("", "Bearer token for the GraphQL API (secret; empty sends none)"),
    "MSSQL_URL": ("", "ODBC connection string for MSSQL table syncs (secret; only if you use one)"),
}

SECRET_VARS = frozenset({"POSTGRES_PASSWORD", "MYSQL_PASSWORD", "MSSQL_URL", "GRAPHQL_API_TOKEN"})
# Secrets `make up` cannot start without; the others are optional and stay commented out.
COMPOSE_SECRETS = frozenset({"POSTGRES_PASSWORD", "MYSQL_PASSWORD"})


def env(name: str, environ: Mapping[str, str] | None = None) -> str:
    """Value of a known variable, falling back to its documented default."""
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None or value == "":
        return ENV_DEFAULTS[name][0]
    return value


@dataclass(frozen=True)
class PostgresSettings:
    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def from_env(cls, database_var: str = "POSTGRES_DB", environ: Mapping[str, str] | None = None) -> PostgresSettings:
        return cls(
            host=env("POSTGRES_HOST", environ),
            port=int(env("POSTGRES_PORT", environ)),
            user=env("POSTGRES_USER", environ),
            password=env("POSTGRES_PASSWORD", environ),
            database=env(database_var, environ),
        )

    def conninfo(self, database: str | None = None) -> str:
        """libpq keyword string; the password is passed separately via `connect_kwargs`."""
        return f"host={self.host} port={self.port} user={self.user} dbname={database or self.database}"

    def connect_kwargs(self, database: str | None = None) -> dict[str, object]:
        kwargs: dict[str, object] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "dbname": database or self.database,
        }
        if self.password:
            kwargs["password"] = self.password
        return kwargs

    def safe_description(self) -> str:
        """Where we connect, never the password: for error messages and logs."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"


def render_env_example() -> str:
    """The committed `.env.example`: secrets as placeholders, every other variable commented with its default."""
    lines = [
        "# Generated by `make workspace` from app/data_manager/settings.py; do not edit.",
        "# For `make up`: cp .env.example .env and replace every change-me. Never commit .env.",
        "# `make dev` needs no .env: without POSTGRES_HOST it starts an embedded Postgres.",
        "",
    ]
    for name, (default, doc) in ENV_DEFAULTS.items():
        lines.append(f"# {doc}")
        lines.append(f"{name}=change-me" if name in COMPOSE_SECRETS else f"# {name}={default}")
    return "\n".join(lines) + "\n"
