"""`SyncRequest`: what a table sync should do, built once (by the CLI or the component) and handed to
`sync_tables(source, request)`. Values are checked by the engine, so bad ones come back as a result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from data_manager.ingestion.sql.source import DEFAULT_CHUNK_BYTES, DEFAULT_CHUNK_ROWS


@dataclass(frozen=True)
class SyncRequest:
    tables: str | list[str] | tuple[str, ...]  # "a,b" or a list; `schema.table` where the source has schemas
    target_schema: str | None = None  # Postgres schema; default CACHE_SCHEMA
    table_prefix: str = ""  # target table = <prefix><table> (see ingestion.naming)
    mode: str = "full-refresh"  # options.Mode: full-refresh, incremental, truncate, snapshot, backfill ("full" too)
    cursor_column: str | None = None  # incremental: only rows with cursor >= the stored watermark
    chunk_rows: int = DEFAULT_CHUNK_ROWS  # at most this many rows per COPY chunk...
    chunk_bytes: int = DEFAULT_CHUNK_BYTES  # ...and about this many bytes, whatever the row width
    deletes: str = "ignore"  # incremental: rows gone from the source are ignored, soft-deleted or deleted
    lag: float | int | str | None = None  # incremental: read from watermark - lag (seconds or "5m"); None: default
    range: tuple[Any, Any] | str | None = None  # backfill: (start, end) or "START,END" of the cursor, both included
    parallel: int = 1  # full-refresh, backfill: read this many primary-key ranges at once
