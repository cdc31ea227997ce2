"""Event store: an `events` table in Postgres that several processes write to and work from; the universal
pipelines job logs each fetched artifact here (`pipeline_artifact_fetched`).

Duplicates are rejected by the database itself (a unique hash of type + canonical JSON, inserted
with `ON CONFLICT DO NOTHING`), so concurrent writers can never create two copies of an event.
Workers claim rows with `FOR UPDATE SKIP LOCKED` and mark them `processing` in the same statement,
so two workers never receive the same row.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from data_manager.db import connect
from data_manager.errors import UserError
from data_manager.settings import PostgresSettings, env

Status = Literal["new", "processing", "processed", "failed"]
TABLE = "events"
_DEADLOCK_RETRIES = 5


@dataclass(frozen=True)
class Event:
    id: int
    event_type: str
    event_data: dict[str, Any]
    event_hash: str
    status: Status
    attempts: int
    created_at: datetime
    updated_at: datetime
    last_error: str | None


def event_hash(event_type: str, event_data: Mapping[str, Any]) -> str:
    """Identity of an event: sha256 of its type and canonical JSON (sorted keys), so key order never matters."""
    canonical = json.dumps(event_data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{event_type}\n{canonical}".encode()).hexdigest()


class EventStore:
    """The events table in `schema` (EVENT_STORE_SCHEMA) of the Postgres database in `settings`."""

    def __init__(self, settings: PostgresSettings | None = None, schema: str | None = None) -> None:
        self.settings = settings or PostgresSettings.from_env()
        self.schema = schema or env("EVENT_STORE_SCHEMA")
        self._ready = False
        self._table = sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(TABLE))

    def ensure_table(self) -> None:
        """Create schema, table and index once; an advisory lock keeps concurrent first writers from racing."""
        if self._ready:
            return
        with connect(self.settings) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('data_manager.event_store'))")
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            conn.execute(
                sql.SQL(
                    """CREATE TABLE IF NOT EXISTS {table} (
                        id bigserial PRIMARY KEY,
                        event_type text NOT NULL,
                        event_data jsonb NOT NULL,
                        event_hash text NOT NULL UNIQUE,
                        status text NOT NULL DEFAULT 'new'
                            CHECK (status IN ('new', 'processing', 'processed', 'failed')),
                        attempts integer NOT NULL DEFAULT 0,
                        created_at timestamptz NOT NULL DEFAULT now(),
                        updated_at timestamptz NOT NULL DEFAULT now(),
                        last_error text
                    )"""
                ).format(table=self._table)
            )
            conn.execute(
                sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (event_type, status, id)").format(
                    sql.Identifier(f"{TABLE}_type_status_idx"), self._table
                )
            )
        self._ready = True

    def write_event(self, event_type: str, event_data: Mapping[str, Any]) -> int | None:
        """Insert one event; returns its id, or None when the same event already exists."""
        result = self._insert([(event_type, dict(event_data))])
        return result[0] if result else None

    def bulk_write_events(self, events: Iterable[Mapping[str, Any]]) -> dict[str, int]:
        """Insert many `{"event_type": ..., "event_data": {...}}` events in one statement, skipping duplicates."""
        rows: list[tuple[str, dict[str, Any]]] = []
        for index, event in enumerate(events):
            if (
                not isinstance(event, Mapping)
                or not event.get("event_type")
                or not isinstance(event.get("event_data"), Mapping)
            ):
                raise UserError(f"event #{index} needs `event_type` (text) and `event_data` (a mapping)")
            rows.append((str(event["event_type"]), dict(event["event_data"])))
        created = self._insert(rows)
        return {
            "events_submitted": len(rows),
            "events_created": len(created),
            "duplicates_skipped": len(rows) - len(created),
        }

    def get_unprocessed_or_failed_events(
        self,
        event_type: str,
        limit: int = 100,
        max_attempts: int = 5,
        stale_after_seconds: float | None = 900,
    ) -> list[Event]:
        """Claim up to `limit` new or failed events (and `processing` ones stuck longer than `stale_after_seconds`).

        Claimed rows become `processing` with `attempts + 1` in the same statement; rows another worker holds
        are skipped, never waited for.
        """
        self.ensure_table()
        stale_clause = sql.SQL("")
        params: list[Any] = [event_type, max_attempts]
        if stale_after_seconds is not None:
            stale_clause = sql.SQL(" OR (status = 'processing' AND updated_at < now() - make_interval(secs => %s))")
            params.append(stale_after_seconds)
        params.append(limit)
        query = sql.SQL(
            """WITH claimed AS (
                SELECT id FROM {table}
                WHERE event_type = %s AND attempts < %s AND (status IN ('new', 'failed'){stale})
                ORDER BY id LIMIT %s
                FOR UPDATE SKIP LOCKED
            )
            UPDATE {table} e SET status = 'processing', attempts = e.attempts + 1, updated_at = now()
            FROM claimed WHERE e.id = claimed.id
            RETURNING e.id, e.event_type, e.event_data, e.event_hash, e.status, e.attempts,
                      e.created_at, e.updated_at, e.last_error"""
        ).format(table=self._table, stale=stale_clause)
        with connect(self.settings, row_factory=dict_row) as conn:
            rows = conn.execute(query, params).fetchall()
        return sorted((Event(**row) for row in rows), key=lambda event: event.id)

    def mark_processed(self, event_id: int) -> None:
        self._set_status(event_id, "processed", None)

    def mark_failed(self, event_id: int, error: str) -> None:
        self._set_status(event_id, "failed", error[:4000])

    def get_event(self, event_id: int) -> Event | None:
        self.ensure_table()
        with connect(self.settings, row_factory=dict_row) as conn:
            row = conn.execute(
                sql.SQL(
                    "SELECT id, event_type, event_data, event_hash, status, attempts, created_at, updated_at, last_error "
                    "FROM {} WHERE id = %s"
                ).format(self._table),
                (event_id,),
            ).fetchone()
        return Event(**row) if row else None

    def _set_status(self, event_id: int, status: Status, error: str | None) -> None:
        self.ensure_table()
        with connect(self.settings) as conn:
            updated = conn.execute(
                sql.SQL("UPDATE {} SET status = %s, last_error = %s, updated_at = now() WHERE id = %s").format(
                    self._table
                ),
                (status, error, event_id),
            ).rowcount
        if updated != 1:
            raise UserError(f"no event with id {event_id} in {self.schema}.{TABLE}")

    def _insert(self, rows: list[tuple[str, dict[str, Any]]]) -> list[int]:
        """One INSERT ... SELECT FROM unnest, ordered by hash so concurrent writers lock keys in the same order."""
        if not rows:
            return []
        self.ensure_table()
        by_hash = {event_hash(event_type, data): (event_type, data) for event_type, data in rows}
        hashes = sorted(by_hash)
        types = [by_hash[h][0] for h in hashes]
        payloads = [Jsonb(by_hash[h][1]) for h in hashes]
        query = sql.SQL(
            """INSERT INTO {table} (event_type, event_data, event_hash)
            SELECT t, d, h FROM unnest(%s::text[], %s::jsonb[], %s::text[]) WITH ORDINALITY AS u(t, d, h, n)
            ORDER BY n
            ON CONFLICT (event_hash) DO NOTHING
            RETURNING id"""
        ).format(table=self._table)
        for attempt in range(_DEADLOCK_RETRIES):
            try:
                with connect(self.settings) as conn:
                    return [row[0] for row in conn.execute(query, (types, payloads, hashes)).fetchall()]
            except psycopg.errors.DeadlockDetected:
                if attempt == _DEADLOCK_RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        return []


def _store(settings: PostgresSettings | None) -> EventStore:
    return EventStore(settings)


def write_event(event_type: str, event_data: Mapping[str, Any], settings: PostgresSettings | None = None) -> int | None:
    """Insert one event (module-level shortcut for `EventStore().write_event`)."""
    return _store(settings).write_event(event_type, event_data)


def bulk_write_events(events: Iterable[Mapping[str, Any]], settings: PostgresSettings | None = None) -> dict[str, int]:
    """Insert many events, skipping duplicates inside the database."""
    return _store(settings).bulk_write_events(events)


def get_unprocessed_or_failed_events(
    event_type: str, limit: int = 100, settings: PostgresSettings | None = None, **kwargs: Any
) -> list[Event]:
    """Claim events for processing (see `EventStore.get_unprocessed_or_failed_events`)."""
    return _store(settings).get_unprocessed_or_failed_events(event_type, limit, **kwargs)


def mark_processed(event_id: int, settings: PostgresSettings | None = None) -> None:
    _store(settings).mark_processed(event_id)


def mark_failed(event_id: int, error: str, settings: PostgresSettings | None = None) -> None:
    _store(settings).mark_failed(event_id, error)
