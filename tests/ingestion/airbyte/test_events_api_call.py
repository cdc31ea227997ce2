"""call_api_for_event_processing records the outcome of the call on the event."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from data_manager.ingestion.events.api_call import call_api_for_event_processing
from data_manager.ingestion.events.store import EventStore
from data_manager.process_groups import free_port
from data_manager.settings import PostgresSettings
from ingestion.airbyte.loopback import LoopbackServer, serve


@pytest.fixture
def api() -> Iterator[LoopbackServer]:
    def handle(request, state):
        if request.path == "/ok":
            return 201, {"created": True}
        return 500, {"error": "database is on fire"}

    yield from serve(handle)


def test_events_api_call_success_and_failure_are_recorded(pg_database: PostgresSettings, api: LoopbackServer) -> None:
    store = EventStore(pg_database)
    ok_id = store.write_event("CALL", {"n": 1})
    bad_id = store.write_event("CALL", {"n": 2})
    down_id = store.write_event("CALL", {"n": 3})
    assert ok_id and bad_id and down_id
    store.get_unprocessed_or_failed_events("CALL")

    ok = call_api_for_event_processing(ok_id, "post", f"{api.url}/ok", {"user": 1}, settings=pg_database)
    assert ok == {"ok": True, "status_code": 201, "response": {"created": True}, "error": None}
    assert api.requests[0]["method"] == "POST" and api.requests[0]["body"] == '{"user":1}'

    bad = call_api_for_event_processing(bad_id, "PUT", f"{api.url}/fail", {"user": 2}, settings=pg_database)
    assert bad["ok"] is False and bad["status_code"] == 500

    down = call_api_for_event_processing(
        down_id, "GET", f"http://127.0.0.1:{free_port()}/x", settings=pg_database, timeout=2
    )
    assert down["ok"] is False and down["status_code"] is None

    events = {e: store.get_event(e) for e in (ok_id, bad_id, down_id)}
    assert events[ok_id].status == "processed" and events[ok_id].last_error is None
    assert events[bad_id].status == "failed"
    assert "HTTP 500" in events[bad_id].last_error and "database is on fire" in events[bad_id].last_error
    assert events[down_id].status == "failed" and "ConnectError" in events[down_id].last_error
