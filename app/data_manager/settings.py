"""Connection settings and well-known ports, read from the environment.

This module is the single source of truth for every port, database name and
environment variable the platform uses: every variable is read through `env`,
which checks its form (`SETTING_FORMS`) so a bad value is one line naming it, not
a traceback later. `.env.example` is generated from `ENV_DEFAULTS` (see
`data-manager env-example`) and a test keeps it current.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from data_manager.errors import UserError

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
    "RUN_WORKER_START": (
        "forkserver",
        "forkserver: each code server forks its runs from a process that imported Dagster once, at its first run"
        " (later runs start about 1.5 s sooner; about 105 MB more per location); spawn: a fresh interpreter per run",
    ),
    "RUN_LAUNCHER": (
        "default",
        "Compose: default runs in the code servers; docker: each run in its own container (mounts the Docker socket)",
    ),
    "EXECUTOR": (
        "multiprocess",
        "multiprocess: each step a process beside its run (Dagster's default); celery: steps are Celery tasks on"
        " CELERY_BROKER_URL, run by `data-manager worker` processes on any host",
    ),
    "CELERY_BROKER_URL": ("", "EXECUTOR=celery: the broker, redis://[:password@]host:port/db (secret)"),
    "CELERY_BACKEND_URL": ("", "EXECUTOR=celery: where step results go (secret; empty: the broker's URL)"),
    "BROKER_PASSWORD": ("", "Compose with EXECUTOR=celery: the password of the `broker` service (secret)"),
    "CELERY_VISIBILITY_TIMEOUT_S": (
        "15",
        "Redis broker: seconds after which the step of a worker that died runs again elsewhere (live workers renew"
        " theirs)",
    ),
    "CELERY_WORKER_CONCURRENCY": ("1", "Steps one `data-manager worker` runs at once (one process each)"),
    "CELERY_WORKER_LOCATIONS": ("", "Locations whose steps a worker takes, comma-separated (empty: every enabled one)"),
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
    "MSSQL_URL": ("", "ODBC connection string for MSSQL table syncs (secret; only if you use one)"),
    "AI_EXTRACTION_URL": ("", "OpenAI-compatible base URL for the ai_extraction strategy (empty: not configured)"),
    "AI_EXTRACTION_MODEL": ("", "Model name sent to AI_EXTRACTION_URL"),
    "AI_EXTRACTION_API_KEY": ("", "API key for AI_EXTRACTION_URL (secret; empty sends none)"),
    "ARTIFACT_MAX_MB": ("100", "Largest pipeline artifact uploaded, read from a path or fetched from a URL, in MB"),
    "ARTIFACT_ROOTS": (
        "",
        "Folders artifact paths must lie in, separated by ':' (empty: the artifacts folder of the data directory)",
    ),
    "ARTIFACT_URL_ALLOW": (
        "",
        "Hosts or networks artifact URLs may reach although private, loopback or link-local (comma-separated,"
        " e.g. files.internal,10.0.0.0/8); others must resolve to public addresses",
    ),
    "DAGSTER_WEBSERVER_URL": ("", "Webserver the CLI talks to (empty: http://127.0.0.1:$DAGSTER_WEBSERVER_PORT)"),
    "DAGSTER_UI_URL": ("", "Dagster UI address in the designer's run links (empty: the webserver's URL)"),
    "LOCAL_PORT_OFFSET": ("0", "`make dev` only: added to every registry port, to run a second stack beside one"),
    "PLATFORM_API_HOST": ("127.0.0.1", "Interface `data-manager api` binds to (non-loopback needs PLATFORM_API_TOKEN)"),
    "PLATFORM_API_PORT": ("3100", "Port of the platform API (designer routes, OpenAPI at /api/openapi.json)"),
    "PLATFORM_API_TOKEN": (
        "",
        "Bearer token the platform API requires (secret; required for a non-loopback bind, so by `make up`)",
    ),
    "DESIGNER_READ_ONLY": (
        "0",
        "1: the API's designer routes refuse to change locations (compose sets it: the code is baked into the image)",
    ),
}

# Set by the platform itself (`make dev`, tests), never in .env: not rendered into .env.example.
INTERNAL_DEFAULTS: dict[str, tuple[str, str]] = {
    "DATA_PLATFORM_HOME": ("", "Project root (default: found from the working directory)"),
    "DATA_PLATFORM_DATA_DIR": ("", "Local state folder (default: <home>/.data)"),
    "DAGSTER_HOME": ("", "Dagster's instance folder, set by `make dev` and the images"),
}

SECRET_VARS = frozenset(
    {
        "POSTGRES_PASSWORD",
        "MYSQL_PASSWORD",
        "MSSQL_URL",
        "AI_EXTRACTION_API_KEY",
        "PLATFORM_API_TOKEN",
        "CELERY_BROKER_URL",
        "CELERY_BACKEND_URL",
        "BROKER_PASSWORD",
    }
)
# Secrets `make up` cannot start without; the others are optional and stay commented out.
COMPOSE_SECRETS = frozenset({"POSTGRES_PASSWORD", "MYSQL_PASSWORD", "PLATFORM_API_TOKEN"})


BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")


def _port(value: str) -> None:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ValueError("a port number (1-65535)")


def _positive_int(value: str) -> None:
    if not value.isdigit() or int(value) < 1:
        raise ValueError("a whole number of at least 1")


def _offset(value: str) -> None:
    if not value.isdigit() or int(value) > 60000:
        raise ValueError("a whole number from 0 to 60000")


def _http_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("an http(s):// URL")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ValueError("an http(s):// URL with a valid port") from None


def _url_allow(value: str) -> None:
    import ipaddress
    import re

    for entry in (e.strip() for e in value.split(",")):
        if not entry:
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", entry):
                raise ValueError(f"comma-separated host names or networks ({entry!r} is neither)") from None


def _broker_url(value: str) -> None:
    """The value is a secret: the message names the expected form only, never the value."""
    if urlsplit(value).scheme not in BROKER_SCHEMES:
        raise ValueError(f"a URL starting with {'://, '.join(BROKER_SCHEMES)}://")


def _choice(*allowed: str) -> Callable[[str], None]:
    def check(value: str) -> None:
        if value not in allowed:
            raise ValueError(f"one of {', '.join(allowed)}")

    return check


# The values of each setting that is a choice: the one list (a test ties the supervisor's command tables to it).
SETTING_CHOICES: dict[str, tuple[str, ...]] = {
    "CODE_SERVER_MODE": ("proxy", "direct"),
    "RUN_WORKER_START": ("forkserver", "spawn"),
    "RUN_LAUNCHER": ("default", "docker"),
    "EXECUTOR": ("multiprocess", "celery"),
    "DESIGNER_READ_ONLY": ("0", "1"),
}

# The form of every typed setting; a check raises ValueError naming the expected form.
SETTING_FORMS: dict[str, Callable[[str], None]] = {
    **{name: _choice(*values) for name, values in SETTING_CHOICES.items()},
    "POSTGRES_PORT": _port,
    "DAGSTER_WEBSERVER_PORT": _port,
    "PLATFORM_API_PORT": _port,
    "SAMPLE_API_PORT": _port,
    "EMBEDDED_POSTGRES_PORT": _port,
    "MYSQL_PORT": _port,
    "MAX_CONCURRENT_RUNS": _positive_int,
    "ARTIFACT_MAX_MB": _positive_int,
    "ARTIFACT_URL_ALLOW": _url_allow,
    "LOCAL_PORT_OFFSET": _offset,
    "CELERY_BROKER_URL": _broker_url,
    "CELERY_BACKEND_URL": _broker_url,
    "CELERY_VISIBILITY_TIMEOUT_S": _positive_int,
    "CELERY_WORKER_CONCURRENCY": _positive_int,
    "SAMPLE_API_URL": _http_url,
    "DAGSTER_WEBSERVER_URL": _http_url,
    "DAGSTER_UI_URL": _http_url,
}


class SettingError(UserError):
    """A variable holds a value of the wrong form (exit 2)."""


def _checked(name: str, value: str) -> str:
    check = SETTING_FORMS.get(name)
    if check is not None and value != "":
        try:
            check(value)
        except ValueError as exc:
            shown = "(hidden: a secret)" if name in SECRET_VARS else repr(value)
            raise SettingError(f"{name}={shown} is not valid: expected {exc}") from None
    return value


def env(name: str, environ: Mapping[str, str] | None = None) -> str:
    """Value of a known variable, falling back to its documented default; a bad form raises SettingError."""
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None or value == "":
        defaults = ENV_DEFAULTS if name in ENV_DEFAULTS else INTERNAL_DEFAULTS
        return defaults[name][0]
    return _checked(name, value)


def env_int(name: str, environ: Mapping[str, str] | None = None) -> int:
    return int(env(name, environ))


def is_set(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """True when the environment gives `name` a non-empty value (not just its default)."""
    assert name in ENV_DEFAULTS or name in INTERNAL_DEFAULTS, name
    return bool((os.environ if environ is None else environ).get(name))


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Check every typed setting at once (the CLI does this first): one line naming each bad variable."""
    problems = []
    for name in SETTING_FORMS:
        try:
            env(name, environ)
        except SettingError as exc:
            problems.append(str(exc))
    if problems:
        raise SettingError("; ".join(problems))


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
            port=env_int("POSTGRES_PORT", environ),
            user=env("POSTGRES_USER", environ),
            password=env("POSTGRES_PASSWORD", environ),
            database=env(database_var, environ),
        )

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


def load_dotenv_file(path: os.PathLike[str] | str) -> None:
    """Values from a `.env` file fill in variables the environment does not already set."""
    from pathlib import Path

    if Path(path).is_file():
        from dotenv import dotenv_values

        for key, value in dotenv_values(path).items():
            if value is not None:
                os.environ.setdefault(key, value)


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
