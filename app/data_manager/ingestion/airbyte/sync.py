"""`sync_connector`: run one PyAirbyte connector into a Postgres cache and report what happened.

Bad input (unknown connector or cache, a broken YAML file, an unset `${VAR}`, an unknown stream)
raises `UserError` before anything runs. Failures of the connector itself (install, `check`,
`read`) come back as a `SyncResult` with status `failed`, the stage and a one-line error; `check`
runs before `read`, so an unreachable source writes nothing to the cache.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from data_manager.errors import UserError
from data_manager.ingestion.airbyte.caches import DEFAULT_CACHE, build_postgres_cache, cache_spec
from data_manager.ingestion.airbyte.connectors import get_connector_by_name, redact, resolve_config
from data_manager.ingestion.airbyte.naming import table_name_for, table_prefix_for
from data_manager.ingestion.airbyte.pyairbyte import ProgressCallback, TrackedRead, import_airbyte
from data_manager.paths import airbyte_install_dir

if TYPE_CHECKING:
    from airbyte.caches import PostgresCache

log = logging.getLogger(__name__)

WriteStrategy = Literal["auto", "append", "merge", "replace"]
Stage = Literal["install", "check", "cache", "read", "done"]


@dataclass
class SyncResult:
    """What a sync did; `to_dict()` is the CLI's JSON summary and the Dagster metadata source."""

    status: Literal["success", "failed"]
    connector: str
    cache_name: str
    cache_type: str
    cache_schema: str
    cache_database: str
    table_prefix: str
    stage: Stage
    records_per_stream: dict[str, int] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    duration_s: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "success"

    @property
    def total_records(self) -> int:
        return sum(self.records_per_stream.values())

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "total_records": self.total_records}

    def get(self, key: str, default: Any = None) -> Any:
        """Dict-style access, as older assets used: `result.get("status")`."""
        return self.to_dict().get(key, default)


def sync_connector(
    connector_name: str,
    streams_to_sync: list[str] | None = None,
    cache: PostgresCache | None = None,
    write_strategy: WriteStrategy = "auto",
    full_refresh: bool = False,
    *,
    cache_name: str = DEFAULT_CACHE,
    on_progress: ProgressCallback | None = None,
) -> SyncResult:
    """Install (pip_url) or load (manifest) the connector, `check` it, then `read` the streams into the cache.

    `cache` defaults to `get_cache(cache_name, connector_name)`. A cache given with another table prefix is
    rebuilt with the connector's prefix, so two connectors never share tables or state.
    """
    started = time.monotonic()
    if write_strategy not in ("auto", "append", "merge", "replace"):
        raise UserError(f"invalid write strategy {write_strategy!r}: use auto, append, merge or replace")
    if write_strategy == "replace" and not full_refresh:
        raise UserError("write strategy 'replace' needs full_refresh=True (otherwise rows from earlier syncs are lost)")
    connector = get_connector_by_name(connector_name)
    resolved = resolve_config(connector)
    prefix = table_prefix_for(connector_name)
    # PyAirbyte creates its bookkeeping tables when a cache is built, so a cache of our own is only
    # built once `check` passed: a failing source leaves the cache database untouched.
    spec_of_cache = cache_spec(cache_name) if cache is None else None
    if cache is not None and (cache.table_prefix or "") != prefix:
        cache = _with_prefix(cache, prefix)
    streams = _parse_streams(streams_to_sync)

    result = SyncResult(
        status="failed",
        connector=connector_name,
        cache_name=cache_name,
        cache_type=type(cache).__name__ if cache is not None else "PostgresCache",
        cache_schema=cache.schema_name if cache is not None else spec_of_cache.schema,
        cache_database=cache.database if cache is not None else spec_of_cache.settings.database,
        table_prefix=prefix,
        stage="install",
    )
    ab = import_airbyte()
    spec = connector.spec
    log.info(
        "syncing connector %s into %s.%s* (%s)", connector_name, result.cache_schema, prefix, spec.pip_url or "manifest"
    )
    try:
        if spec.pip_url:
            source = ab.get_source(
                spec.name, config=resolved.config, pip_url=spec.pip_url, install_root=airbyte_install_dir()
            )
        else:
            source = ab.get_source(spec.name, config=resolved.config, source_manifest=connector.manifest_path)
        result.stage = "check"
        source.check()
        available = source.get_available_streams()
    except Exception as exc:
        return _failed(result, exc, resolved.secret_values, started)

    if streams:
        unknown = [s for s in streams if s not in available]
        if unknown:
            raise UserError(
                f"connector {connector_name!r} has no stream {', '.join(unknown)} (available: {', '.join(available)})"
            )
        source.select_streams(streams)
    else:
        source.select_all_streams()
        streams = list(available)

    if cache is None:
        result.stage = "cache"
        try:
            cache = build_postgres_cache(spec_of_cache, prefix)
        except Exception as exc:
            return _failed(result, exc, resolved.secret_values, started)
    result.stage = "read"
    tracked = TrackedRead(on_progress)
    try:
        with tracked:
            source.read(cache=cache, write_strategy=write_strategy, force_full_refresh=full_refresh)
    except Exception as exc:
        result.records_per_stream = tracked.records_per_stream()
        return _failed(result, exc, resolved.secret_values, started)

    counts = tracked.records_per_stream()
    result.records_per_stream = {stream: counts.get(stream, 0) for stream in streams}
    result.tables = {stream: table_name_for(connector_name, stream) for stream in streams}
    result.status = "success"
    result.stage = "done"
    result.duration_s = round(time.monotonic() - started, 3)
    log.info("synced %s records from %s in %.1fs", result.total_records, connector_name, result.duration_s)
    return result


def describe_error(exc: BaseException) -> str:
    """One line for a connector failure: PyAirbyte's message, the connector's reason and its last log line."""
    message = getattr(exc, "get_message", None)
    parts = [message() if callable(message) else str(exc).strip().splitlines()[0] if str(exc).strip() else ""]
    context = getattr(exc, "context", None) or {}
    for key in ("failure_reason", "error", "message"):
        if context.get(key):
            parts.append(str(context[key]))
    log_text = getattr(exc, "log_text", None)
    if isinstance(log_text, list):
        log_text = "\n".join(log_text)
    if log_text:
        lines = [line.strip() for line in str(log_text).splitlines() if line.strip()]
        if lines:
            parts.append(lines[-1])
    original = getattr(exc, "original_exception", None) or exc.__cause__
    if original is not None and original is not exc and len(parts) < 2:
        parts.append(describe_error(original))
    text = ": ".join(p for p in parts if p) or type(exc).__name__
    return " ".join(text.split())[:2000]


def _failed(result: SyncResult, exc: BaseException, secrets: tuple[str, ...], started: float) -> SyncResult:
    result.status = "failed"
    result.error = redact(f"{result.stage} failed: {describe_error(exc)}", secrets)
    result.duration_s = round(time.monotonic() - started, 3)
    log.error("sync of %s failed during %s: %s", result.connector, result.stage, result.error)
    return result


def _parse_streams(streams: list[str] | str | None) -> list[str] | None:
    if streams is None:
        return None
    if isinstance(streams, str):
        streams = streams.split(",")
    cleaned = [s.strip() for s in streams if s and s.strip()]
    if not cleaned:
        raise UserError("no stream names given: pass stream names or leave streams unset to sync all")
    return cleaned


def _with_prefix(cache: PostgresCache, prefix: str) -> PostgresCache:
    fields = cache.model_dump()
    fields["table_prefix"] = prefix
    return type(cache)(**fields)
