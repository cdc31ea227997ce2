"""A run's event log as server-sent events, resumable without duplicates.

Dagster pages the log with opaque cursors. Every event's SSE id is `<cursor of its page>|<index in that
page>`: a client that reconnects with `Last-Event-ID` (EventSource does) gets the events after that one,
and none twice. The stream ends with `event: end` (the final status) once the run has finished and its
log is read to the end; `event: error` says in one line why it could not go on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from daglab.errors import DaglabError
from daglab.models import LogPage
from data_manager.pipelines import runs

POLL_S = 1.0
RETRY_MS = 2000


@dataclass(frozen=True)
class Position:
    """Where a client stands: the cursor of a page and how many of its events it has seen."""

    cursor: str | None = None
    seen: int = 0

    @classmethod
    def parse(cls, last_event_id: str | None, cursor: str | None = None) -> Position:
        """The position after `Last-Event-ID` (which wins), or at `cursor`; malformed ids restart at `cursor`."""
        if last_event_id and "|" in last_event_id:
            page_cursor, _, index = last_event_id.rpartition("|")
            if index.isdigit():
                return cls(page_cursor or None, int(index) + 1)
        return cls(cursor, 0)

    def event_id(self, index: int) -> str:
        return f"{self.cursor or ''}|{index}"


def sse(data: object, event: str | None = None, event_id: str | None = None) -> str:
    lines = [f"event: {event}"] if event else []
    lines += [f"id: {event_id}"] if event_id is not None else []
    return "\n".join([*lines, f"data: {json.dumps(data)}"]) + "\n\n"


def follow_events(
    run_id: str,
    start: Position,
    read_page: Callable[[str, str | None], LogPage] = runs.logs,
    poll_s: float = POLL_S,
) -> Iterator[str]:
    """SSE text for the events after `start`, until the run has ended (or Dagster cannot be asked)."""
    yield f"retry: {RETRY_MS}\n\n"
    position = start
    try:
        while True:
            page = read_page(run_id, position.cursor)
            for index, event in enumerate(page.events):
                if index >= position.seen:
                    yield sse(event.model_dump(mode="json"), event_id=position.event_id(index))
            if page.events and page.cursor and page.cursor != position.cursor:
                position = Position(page.cursor, 0)  # the page is read: the next starts after it
            else:
                position = Position(position.cursor, max(position.seen, len(page.events)))
            if page.has_more:
                continue
            status = finished_status(run_id)
            if status and not read_page(run_id, position.cursor).events[position.seen :]:
                yield sse({"status": status}, event="end")
                return
            time.sleep(poll_s)
    except DaglabError as exc:
        yield sse({"message": str(exc)}, event="error")


def finished_status(run_id: str) -> str | None:
    with runs.client() as dagster:
        info = dagster.run(run_id)
    return info.status if info.is_finished else None
