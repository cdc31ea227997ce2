"""Table-sync options that must agree with each other: `mode`, `deletes`, `lag`, `cursor_column`, `range`.

Framework- and driver-free, so the Dagster component can refuse a bad combination when its location
loads and the engine (CLI, tests) refuses the same one with the same words before anything is written.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, get_args

from data_manager.errors import UserError

if TYPE_CHECKING:
    from data_manager.ingestion.sql.source import ColumnPlan

# Modes as Sling names them, so users recognise them. `full` (the spelling before) stays accepted.
Mode = Literal["full-refresh", "incremental", "truncate", "snapshot", "backfill"]
MODES: tuple[str, ...] = get_args(Mode)
MODE_ALIASES: dict[str, str] = {"full": "full-refresh"}
MERGE_MODES = ("incremental", "backfill")  # merge into the target on the primary key
PARALLEL_MODES = ("full-refresh", "backfill")  # modes whose read may be split into key ranges (`parallel`)
MAX_PARALLEL = 16
LOADED_AT_COLUMN = "_loaded_at"  # snapshot: when the run that appended the row started (one value per run)

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


def _choices(values: tuple[str, ...]) -> str:
    return f"{', '.join(values[:-1])} or {values[-1]}"


def unaliased(mode: Any) -> Any:
    """`full` as `full-refresh` (YAML written before the Sling names); anything else as it is."""
    return MODE_ALIASES.get(mode, mode) if isinstance(mode, str) else mode


def canonical_mode(mode: str) -> str:
    """The mode's Sling name (`full` is `full-refresh`); one line naming the field for anything else."""
    mode = unaliased(mode)
    if mode not in MODES:
        raise UserError(f"mode: invalid value {mode!r}: use {_choices(MODES)}")
    return mode


def check_options(
    mode: str,
    deletes: str,
    lag: float | int | str | None,
    *,
    cursor_column: str | None = None,
    range_: tuple[Any, Any] | None = None,
    parallel: int = 1,
) -> float | None:
    """Refuse combinations that cannot work whatever the table; returns the lag in seconds (None: default)."""
    mode = canonical_mode(mode)
    if deletes not in DELETES_MODES:
        raise UserError(f"deletes: invalid value {deletes!r}: use {_choices(DELETES_MODES)}")
    if deletes != "ignore" and mode != "incremental":
        raise UserError(
            f"deletes: {deletes} needs mode incremental (full-refresh and truncate already drop rows deleted at "
            "the source)"
        )
    lag_seconds = parse_lag(lag)
    if lag_seconds is not None and mode != "incremental":
        raise UserError(f"lag: needs mode incremental (it moves the watermark back; {mode} has none)")
    if range_ is not None and mode != "backfill":
        raise UserError(f"range: needs mode backfill (mode {mode} reads the whole table or from the watermark)")
    if mode == "backfill":
        if not cursor_column:
            raise UserError("mode: backfill needs cursor_column, the column its range is read on")
        if range_ is None:
            raise UserError("mode: backfill needs a range: {start, end} of the cursor column to re-read")
    if isinstance(parallel, bool) or not isinstance(parallel, int) or not 1 <= parallel <= MAX_PARALLEL:
        raise UserError(f"parallel: invalid value {parallel!r}: use a whole number from 1 to {MAX_PARALLEL}")
    if parallel > 1 and mode not in PARALLEL_MODES:
        raise UserError(f"parallel: needs mode {_choices(PARALLEL_MODES)} (mode {mode} reads in one stream)")
    if mode == "snapshot" and cursor_column:
        raise UserError("cursor_column: mode snapshot appends every row each run and has no use for a cursor")
    return lag_seconds


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


INTEGER_TYPES = ("smallint", "integer", "bigint")
_FLOAT_TYPES = ("real", "double precision")


def _range_value(value: Any, cursor: ColumnPlan, which: str, table: str) -> Any:
    """A range bound as the cursor's type, so the source compares it as such (YAML may give a date, text...)."""
    pg_type = cursor.pg_type.split("(", 1)[0].strip()
    try:
        if pg_type == "date":
            return value.date() if isinstance(value, dt.datetime) else dt.date.fromisoformat(str(value))
        if pg_type in ("timestamp", "timestamptz"):
            if isinstance(value, dt.datetime):
                moment = value
            elif isinstance(value, dt.date):
                moment = dt.datetime.combine(value, dt.time())
            else:
                moment = dt.datetime.fromisoformat(str(value))
            return moment.replace(tzinfo=dt.UTC) if pg_type == "timestamptz" and moment.tzinfo is None else moment
        if isinstance(value, bool):
            raise ValueError(value)
        if pg_type in INTEGER_TYPES:
            return int(str(value))
        if pg_type == "numeric":
            return Decimal(str(value))
        if pg_type in _FLOAT_TYPES:
            return float(value)
    except (ValueError, ArithmeticError, TypeError):
        raise UserError(
            f"range: {which} {value!r} is not a {cursor.pg_type}, the type of cursor column "
            f"{cursor.source.name!r} of table {table}"
        ) from None
    return str(value)


def parse_range(value: tuple[Any, Any] | list[Any] | str | None) -> tuple[Any, Any] | None:
    """`(start, end)` from a pair or from `"START,END"` (the CLI's spelling); None stays None."""
    if value is None:
        return None
    parts = value.split(",") if isinstance(value, str) else list(value)
    if len(parts) != 2 or any(part is None or str(part).strip() == "" for part in parts):
        raise UserError(f"range: invalid value {value!r}: give a start and an end, e.g. 2024-01-01,2024-01-31")
    start, end = (part.strip() if isinstance(part, str) else part for part in parts)
    return start, end


def cursor_range(cursor: ColumnPlan, range_: tuple[Any, Any], table: str) -> tuple[Any, Any]:
    """The backfill range `(start, end)`, both included, as values of the cursor's type; start <= end."""
    start = _range_value(range_[0], cursor, "start", table)
    end = _range_value(range_[1], cursor, "end", table)
    if start > end:
        raise UserError(f"range: start {range_[0]!r} is after end {range_[1]!r}")
    return start, end
