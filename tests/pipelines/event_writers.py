"""Child-process entry point for the event-store concurrency test (importable by spawned processes)."""

from __future__ import annotations

from data_manager.pipelines.event_store import EventStore
from data_manager.settings import PostgresSettings


def write_range(args: tuple[PostgresSettings, int, int, object]) -> dict[str, int]:
    """Wait at the barrier with the other writers, then bulk-write events start..stop-1 in batches of 50."""
    settings, start, stop, barrier = args
    store = EventStore(settings)
    barrier.wait(timeout=60)  # type: ignore[attr-defined]
    totals = {"events_created": 0, "duplicates_skipped": 0}
    for batch_start in range(start, stop, 50):
        events = [
            {"event_type": "USER_SYNC_EVENT", "event_data": {"user_id": i, "name": f"user {i}"}}
            for i in range(batch_start, min(batch_start + 50, stop))
        ]
        result = store.bulk_write_events(reversed(events))  # writers submit in different orders
        for key in totals:
            totals[key] += result[key]
    return totals
