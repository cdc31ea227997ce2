"""Event store against real Postgres: duplicates rejected in the database, claims never overlap."""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import psycopg
import pytest

from data_manager.errors import UserError
from data_manager.pipelines.event_store import EventStore, event_hash
from data_manager.settings import PostgresSettings
from pipelines.event_writers import write_range


@pytest.mark.timeout(300)
def test_events_concurrent_processes_never_duplicate(pg_database: PostgresSettings) -> None:
    ranges = [(0, 300), (100, 400), (200, 500), (0, 500)]  # heavy overlap
    ctx = multiprocessing.get_context("spawn")
    # ProcessPoolExecutor, not Pool: under a loaded machine Pool.terminate() once hung joining its workers
    with ctx.Manager() as manager, ProcessPoolExecutor(len(ranges), mp_context=ctx) as pool:
        barrier = manager.Barrier(len(ranges))
        results = list(pool.map(write_range, [(pg_database, a, b, barrier) for a, b in ranges], timeout=200))
    with psycopg.connect(**pg_database.connect_kwargs()) as conn:
        total, distinct_hash, distinct_user = conn.execute(
            "SELECT count(*), count(DISTINCT event_hash), count(DISTINCT event_data->>'user_id') FROM public.events"
        ).fetchone()
    assert (total, distinct_hash, distinct_user) == (500, 500, 500)
    assert sum(r["events_created"] for r in results) == 500
    assert sum(r["events_created"] + r["duplicates_skipped"] for r in results) == sum(b - a for a, b in ranges)


def test_events_write_and_status_lifecycle(pg_database: PostgresSettings) -> None:
    store = EventStore(pg_database)
    first = store.write_event("ORDER", {"id": 1, "lines": [1, 2]})
    assert first is not None
    assert store.write_event("ORDER", {"lines": [1, 2], "id": 1}) is None  # same event, other key order
    assert event_hash("ORDER", {"a": 1, "b": 2}) == event_hash("ORDER", {"b": 2, "a": 1})
    assert store.write_event("OTHER", {"id": 1, "lines": [1, 2]}) is not None  # type is part of identity

    claimed = store.get_unprocessed_or_failed_events("ORDER", limit=10)
    assert [e.id for e in claimed] == [first]
    assert (claimed[0].status, claimed[0].attempts) == ("processing", 1)
    assert store.get_unprocessed_or_failed_events("ORDER", limit=10) == []  # already claimed

    store.mark_failed(first, "HTTP 502 from api")
    again = store.get_unprocessed_or_failed_events("ORDER", limit=10)
    assert [(e.id, e.attempts, e.last_error) for e in again] == [(first, 2, "HTTP 502 from api")]
    store.mark_processed(first)
    done = store.get_event(first)
    assert done is not None and (done.status, done.attempts) == ("processed", 2)
    assert store.get_unprocessed_or_failed_events("ORDER", limit=10) == []

    with pytest.raises(UserError, match="no event with id 999999"):
        store.mark_processed(999999)
    with pytest.raises(UserError, match="event #0 needs `event_type`"):
        store.bulk_write_events([{"event_data": {}}])


def test_events_failed_events_stop_after_max_attempts(pg_database: PostgresSettings) -> None:
    store = EventStore(pg_database)
    event_id = store.write_event("RETRY", {"n": 1})
    assert event_id is not None
    for _ in range(2):
        assert [e.id for e in store.get_unprocessed_or_failed_events("RETRY", max_attempts=2)] == [event_id]
        store.mark_failed(event_id, "boom")
    assert store.get_unprocessed_or_failed_events("RETRY", max_attempts=2) == []


def test_events_skip_locked_skips_rows_another_worker_holds(pg_database: PostgresSettings) -> None:
    store = EventStore(pg_database)
    store.bulk_write_events({"event_type": "JOB", "event_data": {"n": n}} for n in range(10))
    with psycopg.connect(**pg_database.connect_kwargs()) as holder:
        # Another worker is mid-claim on the 3 oldest rows and has not committed.
        locked = [r[0] for r in holder.execute("SELECT id FROM events ORDER BY id LIMIT 3 FOR UPDATE").fetchall()]
        started = time.monotonic()
        claimed = store.get_unprocessed_or_failed_events("JOB", limit=100)
        assert time.monotonic() - started < 5  # skipped, not waited for
        assert len(claimed) == 7
        assert not {e.id for e in claimed} & set(locked)


def test_events_two_workers_never_claim_the_same_row(pg_database: PostgresSettings) -> None:
    store = EventStore(pg_database)
    store.bulk_write_events({"event_type": "WORK", "event_data": {"n": n}} for n in range(400))
    claims: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def worker(name: str) -> None:
        own = EventStore(pg_database)
        start.wait()
        while batch := own.get_unprocessed_or_failed_events("WORK", limit=7):
            claims[name].extend(e.id for e in batch)

    threads = [threading.Thread(target=worker, args=(n,)) for n in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    everything = claims["a"] + claims["b"]
    assert len(everything) == 400
    assert len(set(everything)) == 400
    assert claims["a"] and claims["b"]  # both really worked
