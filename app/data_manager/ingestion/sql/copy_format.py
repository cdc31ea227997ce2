"""Rows of Python values -> Postgres COPY text format, with one formatter per column chosen up front.

Choosing the formatter once per column (instead of dispatching on every value) keeps the per-row
cost to one call per value; this is the hot loop of the pure-Python readers.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

Formatter = Callable[[Any], str]
NULL = "\\N"


def escape_text(value: str) -> str:
    """COPY text escaping: backslash, tab, newline and carriage return."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value:
        value = value.replace("\t", "\\t")
    if "\n" in value:
        value = value.replace("\n", "\\n")
    if "\r" in value:
        value = value.replace("\r", "\\r")
    return value


def _text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8")
    elif not isinstance(value, str):
        value = str(value)
    return escape_text(value)


def _ascii(value: Any) -> str:
    """Numbers and dates the driver already sent as text (MySQL text protocol): no escaping needed."""
    return value.decode("ascii") if isinstance(value, bytes | bytearray) else str(value)


def _bytea(value: Any) -> str:
    if isinstance(value, str):
        value = value.encode("utf-8")
    return "\\\\x" + bytes(value).hex()


def _boolean(value: Any) -> str:
    if isinstance(value, bytes | bytearray):  # MySQL BIT(1) arrives as one raw byte
        return "t" if int.from_bytes(value, "big") else "f"
    if isinstance(value, str):
        return "t" if value.strip().lower() in {"1", "t", "true", "y", "yes"} else "f"
    return "t" if value else "f"


def _bit_integer(value: Any) -> str:
    return str(int.from_bytes(value, "big")) if isinstance(value, bytes | bytearray) else str(int(value))


def _utc_timestamp(value: Any) -> str:
    """MySQL TIMESTAMP read with the session in UTC: say so, the target column is timestamptz."""
    return _ascii(value) + "+00"


def _python_value(value: Any) -> str:
    """Generic formatter for drivers that return Python objects (pyodbc)."""
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return _bytea(bytes(value))
    if isinstance(value, uuid.UUID):
        return str(value)
    return escape_text(str(value))


FORMATTERS: dict[str, Formatter] = {
    "text": _text,
    "ascii": _ascii,
    "bytea": _bytea,
    "boolean": _boolean,
    "bit_integer": _bit_integer,
    "utc_timestamp": _utc_timestamp,
    "python": _python_value,
}


def format_rows(rows: Sequence[Sequence[Any]], formatters: Sequence[Formatter]) -> bytes:
    """One COPY text block for `rows`; None becomes \\N."""
    pairs = list(enumerate(formatters))
    lines = []
    for row in rows:
        lines.append("\t".join(NULL if row[i] is None else fmt(row[i]) for i, fmt in pairs))
    lines.append("")
    return "\n".join(lines).encode("utf-8")
