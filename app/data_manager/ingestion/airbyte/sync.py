"""`sync_connector`: run one PyAirbyte connector into a Postgres cache and report what happened.

Bad input (unknown connector or cache, a broken YAML file, an unset `${VAR}`, an unknown stream)
raises `UserError` before anything runs. Failures of the connector itself (install, `check`,
`read`) come back as a `SyncResult` with status `failed`, the stage and a one-line error; `check`
runs before `read`, so an unreachable source writes nothing to the cache.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Literal

from data_manager.errors import UserError
from data_manager.ingestion.airbyte.caches import DEFAULT_CACHE, build_postgres_cache, cache_spec
from data_manager.ingestion.airbyte.connectors import get_connector_by_name, resolve_config
from data_manager.ingestion.airbyte.pyairbyte import ProgressCallback, TrackedRead, import_airbyte
from data_manager.ingestion.masking import mask_secrets
from data_manager.ingestion.naming import table_name_for, table_prefix_for
from data_manager.ingestion.results import SyncResult, TableSyncResult
from data_manager.paths import airbyte_install_dir

if TYPE_CHECKING:
    from airbyte.caches import PostgresCache

log = logging.getLogger(__name__)

WriteStrategy = Literal["auto", "append", "merge", "replace"]


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

    schema = cache.schema_name if cache is not None else spec_of_cache.schema  # type: ignore[union-attr]
    result = SyncResult(
        status="failed",
        source=connector_name,
        target_schema=schema,
        mode="full" if full_refresh else "incremental",
        stage="install",
        cache=cache_name,
    )
    ab = import_airbyte()
    spec = connector.spec
    log.info("syncing connector %s into %s.%s* (%s)", connector_name, schema, prefix, spec.pip_url or "manifest")
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
        counts = tracked.records_per_stream()
        result.tables = _stream_results(result, connector_name, list(counts), counts)
        return _failed(result, exc, resolved.secret_values, started)

    result.status = "success"
    result.stage = "done"
    result.duration_s = round(time.monotonic() - started, 3)
    result.tables = _stream_results(result, connector_name, streams, tracked.records_per_stream())
    log.info("synced %s records from %s in %.1fs", result.total_rows, connector_name, result.duration_s)
    return result


def _stream_results(
    result: SyncResult, connector_name: str, streams: list[str], counts: dict[str, int]
) -> list[TableSyncResult]:
    return [
        TableSyncResult(
            source_table=stream,
            target_table=f"{result.target_schema}.{table_name_for(connector_name, stream)}",
            mode=result.mode,
            reader="pyairbyte",
            rows=counts.get(stream, 0),
            duration_s=result.duration_s,
        )
        for stream in streams
    ]


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
    result.error_kind = "sync_failed" if result.stage == "read" else "bad_input"
    result.error = mask_secrets(f"{result.stage} failed: {describe_error(exc)}", secrets)
    result.duration_s = round(time.monotonic() - started, 3)
    log.error("sync of %s failed during %s: %s", result.source, result.stage, result.error)
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
