"""Where a reconnecting log follower resumes: its Last-Event-ID, read back (the stream itself runs live in the stack e2e)."""

from __future__ import annotations

from data_manager.pipelines.log_stream import Position, sse


def test_event_ids_round_trip_to_the_next_event() -> None:
    position = Position("eyJ0eXBlIjogIlNUT1JBR0VfSUQiLCAidmFsdWUiOiA0Mn0=", 0)
    assert Position.parse(position.event_id(3)) == Position(position.cursor, 4)
    assert Position.parse(Position().event_id(0)) == Position(None, 1)  # the first page has no cursor


def test_last_event_id_wins_over_the_cursor_and_bad_ids_fall_back() -> None:
    assert Position.parse("abc|2", cursor="zzz") == Position("abc", 3)
    assert Position.parse("a|b|7") == Position("a|b", 8)  # only the last `|` separates the index
    assert Position.parse("garbage", cursor="zzz") == Position("zzz", 0)
    assert Position.parse("abc|x") == Position(None, 0)
    assert Position.parse(None) == Position(None, 0)


def test_sse_frames() -> None:
    assert sse({"a": 1}, event_id="c|0") == 'id: c|0\ndata: {"a": 1}\n\n'
    assert sse({"status": "SUCCESS"}, event="end") == 'event: end\ndata: {"status": "SUCCESS"}\n\n'
