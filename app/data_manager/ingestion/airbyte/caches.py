"""Named Postgres caches for PyAirbyte: `default` plus any others declared in the caches file.

`default` is the platform cache: Postgres from the POSTGRES_* variables and schema `CACHE_SCHEMA`.
More caches (a regional cache in another schema or database, ...) live in the YAML file named by
`PYAIRBYTE_CACHES_FILE` (default `external-connectors/_caches.yaml`; the file is optional)::

    caches:
      sweden:
        schema: pyairbyte_cache_se        # required for non-default caches
        database: dataplatform_se         # optional; host, port, user likewise; unset fields come from POSTGRES_*
        password_env: SWEDEN_PG_PASSWORD  # optional: the variable holding this cache's password
      default:
        schema: raw                       # optional override of the default cache

Reading these settings is cheap (no airbyte import), so Dagster definitions can use `cache_spec()` to
know a cache's schema when they build asset keys; `get_cache()` imports airbyte only when called.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from data_manager.errors import UserError
from data_manager.ingestion.naming import POSTGRES_MAX_IDENTIFIER, table_prefix_for
from data_manager.paths import path_setting
from data_manager.settings import PostgresSettings, env

if TYPE_CHECKING:
    from airbyte.caches import PostgresCache

DEFAULT_CACHE = "default"
_IDENTIFIER = re.compile(rf"^[a-z_][a-z0-9_]{{0,{POSTGRES_MAX_IDENTIFIER - 1}}}$")


class CacheEntry(BaseModel):
    """One entry of the caches file; every field falls back to the default cache."""

    model_config = ConfigDict(extra="forbid")

    schema_name: str | None = Field(default=None, alias="schema")
    database: str | None = None
    host: str | None = None
    port: int | None = None
    user: str | None = None
    password_env: str | None = None


@dataclass(frozen=True)
class CacheSpec:
    """Where a named cache writes. `settings.password` is read from the environment, never from files."""

    name: str
    settings: PostgresSettings
    schema: str

    def describe(self) -> str:
        return f"{self.settings.safe_description()} schema {self.schema}"


def caches_file() -> Path:
    return path_setting("PYAIRBYTE_CACHES_FILE")


def cache_names() -> list[str]:
    return sorted({DEFAULT_CACHE, *_load_entries()})


def cache_spec(cache_name: str = DEFAULT_CACHE) -> CacheSpec:
    """Resolve a named cache to connection settings and schema (no airbyte import)."""
    entries = _load_entries()
    base = CacheSpec(name=DEFAULT_CACHE, settings=PostgresSettings.from_env(), schema=env("CACHE_SCHEMA"))
    if cache_name != DEFAULT_CACHE and cache_name not in entries:
        raise UserError(
            f"unknown cache {cache_name!r}: known caches are {', '.join(cache_names())} (see {caches_file()})"
        )
    entry = entries.get(cache_name)
    if entry is None:
        return _checked(base)
    if cache_name != DEFAULT_CACHE and not entry.schema_name:
        raise UserError(f"cache {cache_name!r} in {caches_file()}: field `schema` is missing")
    settings = base.settings
    if entry.password_env:
        if entry.password_env not in os.environ:
            raise UserError(f"cache {cache_name!r} needs environment variable {entry.password_env}, which is not set")
        settings = replace(settings, password=os.environ[entry.password_env])
    settings = replace(
        settings,
        host=entry.host or settings.host,
        port=entry.port or settings.port,
        user=entry.user or settings.user,
        database=entry.database or settings.database,
    )
    return _checked(CacheSpec(name=cache_name, settings=settings, schema=entry.schema_name or base.schema))


def get_cache(cache_name: str = DEFAULT_CACHE, connector_name: str | None = None) -> PostgresCache:
    """A PyAirbyte PostgresCache for the named cache; with a connector, tables and state get its prefix."""
    spec = cache_spec(cache_name)
    prefix = table_prefix_for(connector_name) if connector_name else ""
    return build_postgres_cache(spec, prefix)


def build_postgres_cache(spec: CacheSpec, table_prefix: str) -> PostgresCache:
    from data_manager.ingestion.airbyte.pyairbyte import import_airbyte
    from data_manager.paths import airbyte_install_dir

    import_airbyte()
    from airbyte.caches import PostgresCache

    return PostgresCache(
        host=spec.settings.host,
        port=spec.settings.port,
        username=spec.settings.user,
        password=spec.settings.password,
        database=spec.settings.database,
        schema_name=spec.schema,
        table_prefix=table_prefix,
        cache_dir=airbyte_install_dir() / "cache-files",
    )


def _checked(spec: CacheSpec) -> CacheSpec:
    if not _IDENTIFIER.match(spec.schema):
        raise UserError(f"cache {spec.name!r}: schema {spec.schema!r} is not a valid lower-case Postgres identifier")
    return spec


def _load_entries() -> dict[str, CacheEntry]:
    path = caches_file()
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        raise UserError(f"caches file {path} is not valid YAML") from None
    caches = data.get("caches") if isinstance(data, dict) else None
    if not isinstance(caches, dict):
        raise UserError(f"caches file {path}: expected a mapping `caches: {{name: {{schema: ...}}}}`")
    entries: dict[str, CacheEntry] = {}
    for name, raw in caches.items():
        try:
            entries[str(name)] = CacheEntry.model_validate(raw or {})
        except ValidationError as exc:
            problems = "; ".join(
                f"field `{'.'.join(str(p) for p in err['loc'])}`: {err['msg']}" for err in exc.errors()
            )
            raise UserError(f"caches file {path}, cache {name!r}: {problems}") from None
    return entries
