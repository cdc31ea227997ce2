"""`call_api_for_event_processing`: make the HTTP call an event asks for and record the outcome on the event.

2xx marks the event `processed`; anything else (an HTTP error or no answer at all) marks it `failed`
with a one-line `last_error`, so `get_unprocessed_or_failed_events` offers it again later.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx

from data_manager.ingestion.events.graphql_client import url_for_messages
from data_manager.ingestion.events.store import EventStore
from data_manager.settings import PostgresSettings

log = logging.getLogger(__name__)


def call_api_for_event_processing(
    event_id: int,
    method: str,
    url: str,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    settings: PostgresSettings | None = None,
    client: httpx.Client | None = None,
) -> dict[str, Any]:
    """Call `method url` with a JSON `body`; returns `{"ok", "status_code", "response"}` and updates the event."""
    store = EventStore(settings)
    safe_url = url_for_messages(url)
    own_client = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        response = http.request(method.upper(), url, json=body, headers=dict(headers or {}), timeout=timeout)
    except httpx.HTTPError as exc:
        error = f"{method.upper()} {safe_url} failed: {type(exc).__name__}: {exc}".strip()
        store.mark_failed(event_id, error)
        log.warning("event %s: %s", event_id, error)
        return {"ok": False, "status_code": None, "response": None, "error": error}
    finally:
        if own_client:
            http.close()
    try:
        payload: Any = response.json()
    except ValueError:
        payload = response.text
    if response.is_success:
        store.mark_processed(event_id)
        return {"ok": True, "status_code": response.status_code, "response": payload, "error": None}
    snippet = " ".join(response.text.split())[:500]
    error = f"{method.upper()} {safe_url} answered HTTP {response.status_code}: {snippet}"
    store.mark_failed(event_id, error)
    log.warning("event %s: %s", event_id, error)
    return {"ok": False, "status_code": response.status_code, "response": payload, "error": error}
