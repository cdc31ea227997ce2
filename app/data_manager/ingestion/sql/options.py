"""Incremental-sync options that must agree with each other: `deletes` and `lag`.

Framework- and driver-free, so the Dagster component can refuse a bad combination when its location
loads and the engine (CLI, tests) refuses the same one with the same words before anything is written.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import TYPE_CHECKING, Any, Literal, get_args

from data_manager.errors import UserError

if TYPE_CHECKING:
    from data_manager.ingestion.sql.source import ColumnPlan

Deletes = Literal["ignore", "soft", "hard"]
DELETES_MODES: tuple[str, ...] = get_args(Deletes)
DELETED_AT_COLUMN = "_deleted_at"  # soft deletes: when the sync last saw the row missing from the source

# A late commit can carry an `updated_at` older than rows already read (its transaction started
# earlier): reading from watermark - lag picks it up, the merge makes the re-read rows harmless.
DEFAULT_LAG_SECONDS = 300.0
TIME_CURSOR_TYPES = ("date", "timestamp", "timestamptz")  # Postgres types a lag can be subtracted from

_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_DURATION_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?\s*[smhd]\s*)+$")


def parse_lag(value: float | int | str | None) -> float | None:
    """Seconds from `300`, `"300"`, `"90s"`, `"5m"`, `"1h30m"` or `"1d"`; None stays None (the default)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise UserError(f"lag: invalid duration {value!r}: use seconds or a duration like 90s, 5m, 1h")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip().lower()
        try:
            seconds = float(text)
        except ValueError:
            if not _DURATION_TEXT.match(text):
                raise UserError(
                    f"lag: invalid duration {value!r}: use seconds or a duration like 90s, 5m, 1h"
                ) from None
            seconds = sum(float(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION.findall(text))
    if not math.isfinite(seconds) or seconds < 0:
        raise UserError(f"lag: invalid duration {value!r}: it must be 0 or more seconds")
    return seconds


def check_options(mode: str, deletes: str, lag: float | int | str | None) -> float | None:
    """Refuse combinations that cannot work whatever the table; returns the lag in seconds (None: default)."""
    if deletes not in DELETES_MODES:
        raise UserError(
            f"deletes: invalid value {deletes!r}: use {', '.join(DELETES_MODES[:-1])} or {DELETES_MODES[-1]}"
        )
    if deletes != "ignore" and mode != "incremental":
        raise UserError(
            f"deletes: {deletes} needs mode incremental (a full refresh already drops rows deleted at the source)"
        )
    return parse_lag(lag)


def cursor_lag(cursor: ColumnPlan, lag: float | int | str | None, table: str) -> float:
    """The lag to apply to this table's cursor: the default for date/time cursors, 0 for others; an
    explicit lag on a cursor that is not a date or time is refused (it could not be subtracted)."""
    lag_seconds = parse_lag(lag)
    is_time = cursor.pg_type.split("(", 1)[0].strip() in TIME_CURSOR_TYPES
    if lag_seconds is None:
        return DEFAULT_LAG_SECONDS if is_time else 0.0
    if lag_seconds > 0 and not is_time:
        raise UserError(
            f"lag: cursor column {cursor.source.name!r} of table {table} is {cursor.pg_type}, not a date or time: "
            "set lag: 0 or use a date/time cursor"
        )
    return lag_seconds


def lagged(watermark: Any, lag_seconds: float) -> Any:
    """Where the incremental read starts: the watermark moved back by the lag (whole days for dates). A lag
    that cannot be applied is refused, never dropped: the late commits it exists for would be missed."""
    if watermark is None or lag_seconds <= 0:
        return watermark
    if isinstance(watermark, dt.datetime):
        return watermark - dt.timedelta(seconds=lag_seconds)
    if isinstance(watermark, dt.date):
        return watermark - dt.timedelta(days=math.ceil(lag_seconds / 86400))
    raise UserError(f"lag: the stored watermark {watermark!r} is not a date or time: set lag: 0 or run a full refresh")
