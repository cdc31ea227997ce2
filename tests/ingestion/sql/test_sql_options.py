"""`deletes`/`lag` parsing and checks, without databases: the words users see and the arithmetic of the lag."""

from __future__ import annotations

import datetime as dt

import pytest

from data_manager.errors import UserError
from data_manager.ingestion.sql.options import check_options, lagged, parse_lag


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, None), (0, 0.0), ("0", 0.0), (300, 300.0), ("2.5", 2.5), ("90s", 90.0), ("5m", 300.0),
     ("1h30m", 5400.0), (" 1D ", 86400.0)],
)  # fmt: skip
def test_lag_takes_seconds_or_a_duration(value, seconds) -> None:
    assert parse_lag(value) == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("5 minutes", "lag: invalid duration '5 minutes': use seconds or a duration like 90s, 5m, 1h"),
        ("m", "lag: invalid duration 'm': use seconds or a duration like 90s, 5m, 1h"),
        (True, "lag: invalid duration True: use seconds or a duration like 90s, 5m, 1h"),
        (-5, "lag: invalid duration -5: it must be 0 or more seconds"),
        ("nan", "lag: invalid duration 'nan': it must be 0 or more seconds"),
    ],
)
def test_a_bad_lag_is_one_line_naming_the_field(value, message) -> None:
    with pytest.raises(UserError) as info:
        parse_lag(value)
    assert str(info.value) == message


def test_deletes_are_checked_against_the_mode() -> None:
    assert check_options("incremental", "hard", "5m") == 300.0
    assert check_options("full", "ignore", None) is None
    with pytest.raises(UserError, match=r"^deletes: invalid value 'sometimes': use ignore, soft or hard$"):
        check_options("incremental", "sometimes", None)
    with pytest.raises(UserError, match=r"^deletes: hard needs mode incremental"):
        check_options("full", "hard", None)


def test_the_lag_moves_date_and_time_watermarks_back() -> None:
    at = dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.UTC)
    assert lagged(at, 300) == dt.datetime(2024, 1, 1, 11, 55, tzinfo=dt.UTC)
    assert lagged(dt.date(2024, 1, 10), 300) == dt.date(2024, 1, 9)  # dates move back whole days
    assert lagged(at, 0) == at and lagged(None, 300) is None
    assert lagged(42, 0) == 42


def test_a_lag_that_cannot_move_the_watermark_back_is_refused_not_dropped() -> None:
    with pytest.raises(UserError, match=r"^lag: the stored watermark 42 is not a date or time"):
        lagged(42, 300)
