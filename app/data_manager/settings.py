"""Connection settings and well-known ports, read from the environment.

This module is the single source of truth for every port, database name and environment variable the
platform uses: one `Setting` record per variable (default, doc, form, whether it is a secret), in
`SETTINGS`. Every variable is read through `env`, which checks its form so a bad value is one line naming
it, not a traceback later. `.env.example` is generated from the records (see `data-manager env-example`)
and a test keeps it current.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from data_manager.errors import UserError

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


@dataclass(frozen=True)
class Setting:
    """One environment variable: everything the platform knows about it, in one place."""

    default: str
    doc: str
    form: Callable[[str], None] | None = None  # raises ValueError naming the expected form
    choices: tuple[str, ...] = ()  # a choice's values (the default is the first one)
    secret: bool = False  # never shown in a message, a log or a generated file
    compose_required: bool = False  # a secret `make up` cannot start without (change-me in .env.example)
    internal: bool = False  # set by the platform itself (`make dev`, the images, tests), never in .env

    @property
    def typed(self) -> bool:
        return self.form is not None or bool(self.choices)

    def check(self, value: str) -> None:
        """Raise ValueError naming the expected form when `value` (non-empty) does not have it."""
        if self.choices and value not in self.choices:
            raise ValueError(f"one of {', '.join(self.choices)}")
        if self.form is not None:
            self.form(value)


def _choice(doc: str, *values: str) -> Setting:
    return Setting(values[0], doc, choices=values)


def _secret(doc: str, *, compose_required: bool = False, form: Callable[[str], None] | None = None) -> Setting:
    return Setting("", doc, form=form, secret=True, compose_required=compose_required)


SETTINGS: dict[str, Setting] = {
    "POSTGRES_HOST": Setting("127.0.0.1", "Postgres host for Dagster storage, the cache and dbt"),
    "POSTGRES_PORT": Setting("5432", "Postgres port", _port),
    "POSTGRES_USER": Setting("postgres", "Postgres user"),
    "POSTGRES_PASSWORD": _secret("Postgres password (empty means trust or .pgpass)", compose_required=True),
    "POSTGRES_DB": Setting("dataplatform", "Database for the cache, staging and reporting schemas"),
    "DAGSTER_POSTGRES_DB": Setting("dagster", "Database for Dagster's run, event and schedule storage"),
    "CACHE_SCHEMA": Setting("pyairbyte_cache", "Schema the syncs write raw tables into"),
    "DAGSTER_WEBSERVER_HOST": Setting("127.0.0.1", "Interface the webserver binds to on the host"),
    "DAGSTER_WEBSERVER_PORT": Setting("3000", "Webserver port (the only published port)", _port),
    "SAMPLE_API_PORT": Setting("8099", "Port of the sample products API", _port),
    "SAMPLE_API_URL": Setting(
        "http://127.0.0.1:8099",
        "Base URL the sample connector reads (http://sample-api:8099 in compose)",
        _http_url,
    ),
    "EMBEDDED_POSTGRES_PORT": Setting(
        "5433", "Port of the embedded Postgres `make dev` starts when POSTGRES_HOST is unset", _port
    ),
    "MAX_CONCURRENT_RUNS": Setting("4", "QueuedRunCoordinator limit", _positive_int),
    "CODE_SERVER_MODE": _choice(
        "proxy: `dagster code-server start` (reloads code in place, runs in flight go on); direct: `dagster api grpc`"
        " alone (a quarter less memory; a reload restarts it); compose defaults to direct",
        "proxy",
        "direct",
    ),
    "CODE_SERVER_START": _choice(
        "fork: every code server (and a proxy's child, at each reload) is a fork of one process that imported"
        " Dagster once, sharing its memory; spawn: a fresh interpreter per code server, as Dagster starts them",
        "fork",
        "spawn",
    ),
    "RUN_WORKER_START": _choice(
        "forkserver: each code server forks its runs from a process that imported Dagster once, at its first run"
        " (later runs start about 1.5 s sooner; about 105 MB more per location); spawn: a fresh interpreter per run",
        "forkserver",
        "spawn",
    ),
    "RUN_LAUNCHER": _choice(
        "Compose: default runs in the code servers; docker: each run in its own container (mounts the Docker socket)",
        "default",
        "docker",
    ),
    "EXECUTOR": _choice(
        "multiprocess: each step a process beside its run (Dagster's default); celery: steps are Celery tasks on"
        " CELERY_BROKER_URL, run by `data-manager worker` processes on any host",
        "multiprocess",
        "celery",
    ),
    "CELERY_BROKER_URL": _secret("EXECUTOR=celery: the broker, redis://[:password@]host:port/db", form=_broker_url),
    "CELERY_BACKEND_URL": _secret("EXECUTOR=celery: where step results go (empty: the broker's URL)", form=_broker_url),
    "BROKER_PASSWORD": _secret("Compose with EXECUTOR=celery: the password of the `broker` service"),
    "CELERY_VISIBILITY_TIMEOUT_S": Setting(
        "15",
        "Redis broker: seconds after which the step of a worker that died runs again elsewhere (live workers renew"
        " theirs)",
        _positive_int,
    ),
    "CELERY_WORKER_CONCURRENCY": Setting(
        "1", "Steps one `data-manager worker` runs at once (one process each)", _positive_int
    ),
    "CELERY_WORKER_LOCATIONS": Setting(
        "", "Locations whose steps a worker takes, comma-separated (empty: every enabled one)"
    ),
    "COMPOSE_PROJECT_NAME": Setting("data-platform", "Compose project: names its containers, volumes and network"),
    "MYSQL_HOST": Setting("127.0.0.1", "MySQL/MariaDB host for the sql_sync sample"),
    "MYSQL_PORT": Setting("3306", "MySQL/MariaDB port", _port),
    "MYSQL_USER": Setting("root", "MySQL/MariaDB user"),
    "MYSQL_PASSWORD": _secret("MySQL/MariaDB password", compose_required=True),
    "MYSQL_DB": Setting("sample_shop", "Database the sql_sync sample reads"),
    "EXTERNAL_CONNECTORS_DIR": Setting(
        "external-connectors", "Connector YAML folder (relative paths start at the repo root)"
    ),
    "PYAIRBYTE_CACHES_FILE": Setting(
        "external-connectors/_caches.yaml", "Optional named cache configurations for get_cache"
    ),
    "AIRBYTE_INSTALL_DIR": Setting(
        ".data/airbyte", "Where PyAirbyte installs pip_url connectors (venvs reused between runs)"
    ),
    "EVENT_STORE_SCHEMA": Setting("public", "Schema holding the events table"),
    "MSSQL_URL": _secret("ODBC connection string for MSSQL table syncs (only if you use one)"),
    "AI_EXTRACTION_URL": Setting(
        "", "OpenAI-compatible base URL for the ai_extraction strategy (empty: not configured)"
    ),
    "AI_EXTRACTION_MODEL": Setting("", "Model name sent to AI_EXTRACTION_URL"),
    "AI_EXTRACTION_API_KEY": _secret("API key for AI_EXTRACTION_URL (empty sends none)"),
    "ARTIFACT_MAX_MB": Setting(
        "100", "Largest pipeline artifact uploaded, read from a path or fetched from a URL, in MB", _positive_int
    ),
    "ARTIFACT_ROOTS": Setting(
        "",
        "Folders artifact paths must lie in, separated by ':' (empty: the artifacts folder of the data directory)",
    ),
    "ARTIFACT_URL_ALLOW": Setting(
        "",
        "Hosts or networks artifact URLs may reach although private, loopback or link-local (comma-separated,"
        " e.g. files.internal,10.0.0.0/8); others must resolve to public addresses",
        _url_allow,
    ),
    "DAGSTER_WEBSERVER_URL": Setting(
        "", "Webserver the CLI talks to (empty: http://127.0.0.1:$DAGSTER_WEBSERVER_PORT)", _http_url
    ),
    "DAGSTER_UI_URL": Setting(
        "", "Dagster UI address in the designer's run links (empty: the webserver's URL)", _http_url
    ),
    "LOCAL_PORT_OFFSET": Setting(
        "0", "`make dev` only: added to every registry port, to run a second stack beside one", _offset
    ),
    "PLATFORM_API_HOST": Setting(
        "127.0.0.1", "Interface `data-manager api` binds to (non-loopback needs PLATFORM_API_TOKEN)"
    ),
    "PLATFORM_API_PORT": Setting(
        "3100", "Port of the platform API (designer routes, OpenAPI at /api/openapi.json)", _port
    ),
    "PLATFORM_API_TOKEN": _secret(
        "Bearer token the platform API requires (required for a non-loopback bind, so by `make up`)",
        compose_required=True,
    ),
    "DESIGNER_READ_ONLY": _choice(
        "1: the API's designer routes refuse to change locations (compose sets it: the code is baked into the image)",
        "0",
        "1",
    ),
    "DATA_PLATFORM_HOME": Setting("", "Project root (default: found from the working directory)", internal=True),
    "DATA_PLATFORM_DATA_DIR": Setting("", "Local state folder (default: <home>/.data)", internal=True),
    "DAGSTER_HOME": Setting("", "Dagster's instance folder, set by `make dev` and the images", internal=True),
}

# Derived views: the names of the secrets (never shown) and of the variables a user sets in .env.
SECRET_VARS = frozenset(name for name, setting in SETTINGS.items() if setting.secret)
USER_SETTINGS = tuple(name for name, setting in SETTINGS.items() if not setting.internal)


class SettingError(UserError):
    """A variable holds a value of the wrong form (exit 2)."""


def _checked(name: str, value: str) -> str:
    if value != "":
        try:
            SETTINGS[name].check(value)
        except ValueError as exc:
            shown = "(hidden: a secret)" if SETTINGS[name].secret else repr(value)
            raise SettingError(f"{name}={shown} is not valid: expected {exc}") from None
    return value


def env(name: str, environ: Mapping[str, str] | None = None) -> str:
    """Value of a known variable, falling back to its documented default; a bad form raises SettingError."""
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None or value == "":
        return SETTINGS[name].default
    return _checked(name, value)


def env_int(name: str, environ: Mapping[str, str] | None = None) -> int:
    return int(env(name, environ))


def is_set(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """True when the environment gives `name` a non-empty value (not just its default)."""
    assert name in SETTINGS, name
    return bool((os.environ if environ is None else environ).get(name))


def check_environment(environ: Mapping[str, str] | None = None) -> None:
    """Check every typed setting at once (the CLI does this first): one line naming each bad variable."""
    problems = []
    for name, setting in SETTINGS.items():
        if not setting.typed:
            continue
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
    for name in USER_SETTINGS:
        setting = SETTINGS[name]
        lines.append(f"# Secret. {setting.doc}" if setting.secret else f"# {setting.doc}")
        lines.append(f"{name}=change-me" if setting.compose_required else f"# {name}={setting.default}")
    return "\n".join(lines) + "\n"
