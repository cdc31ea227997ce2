"""What the engine needs from a source database, and the plan it builds for each table.

A source (MySQL, SQL Server/ODBC) only knows how to reflect a table, map its column types and stream
its rows as COPY-ready chunks. Everything about Postgres, staging and atomic swaps lives in the engine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from data_manager.ingestion.sql.copy_format import Formatter, format_rows
from data_manager.ingestion.sql.identifiers import TableRef
from data_manager.ingestion.sql.type_mapping import SourceColumn

CopyFormat = Literal["text", "csv"]


@dataclass(frozen=True)
class ColumnPlan:
    source: SourceColumn
    target_name: str  # lower-cased Postgres column name
    pg_type: str


@dataclass(frozen=True)
class TablePlan:
    ref: TableRef  # as the source knows it (schema filled in)
    columns: list[ColumnPlan]
    primary_key: list[str]  # source column names, in key order
    target: str  # Postgres table name (without schema)
    cursor: ColumnPlan | None = None

    def column(self, source_name: str) -> ColumnPlan:
        return next(c for c in self.columns if c.source.name == source_name)

    @property
    def key_columns(self) -> list[ColumnPlan]:
        return [self.column(name) for name in self.primary_key]


DEFAULT_CHUNK_ROWS = 50_000
DEFAULT_CHUNK_BYTES = 3 << 20  # COPY payload per chunk: memory is bounded by bytes, whatever the row width


@dataclass(frozen=True)
class ReadRequest:
    """Read all rows of `table` (or those with cursor >= `watermark`, and <= `until` when set: a backfill's
    range) in chunks of at most `chunk_bytes` (and `chunk_rows`) of COPY payload. `key_after`/`key_until`
    restrict the read to keys in (key_after, key_until] (None: open): one of a parallel read's ranges."""

    table: TablePlan
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    watermark: Any | None = None
    chunk_bytes: int = DEFAULT_CHUNK_BYTES
    until: Any | None = None
    key_after: tuple | None = None
    key_until: Any | None = None  # the first key column's last value; parallel reads need a one-column key


class RowBudget:
    """How many rows fit in `budget_bytes`, learnt from the rows seen so far; starts small (`first_rows`)
    so that even a table of very wide rows never overshoots before its width is known."""

    def __init__(self, budget_bytes: int, max_rows: int, first_rows: int = 256):
        self.budget_bytes = budget_bytes
        self.max_rows = max(1, max_rows)
        self.first_rows = first_rows
        self.seen_rows = 0
        self.seen_bytes = 0

    def rows(self) -> int:
        if not self.seen_rows:
            return min(self.first_rows, self.max_rows)
        per_row = max(1.0, self.seen_bytes / self.seen_rows)
        return max(1, min(self.max_rows, int(self.budget_bytes / per_row)))

    def observe(self, rows: int, size: int) -> None:
        self.seen_rows += rows
        self.seen_bytes += size


@dataclass(frozen=True)
class Chunk:
    data: bytes  # COPY payload in the source's `copy_format`
    rows: int


@dataclass
class PageRead:
    """What `text_chunks` saw of one page: its row count and last row (the next keyset page starts after it)."""

    rows: int = 0
    last_row: Any = None


def text_chunks(
    fetchmany: Callable[[int], Sequence[Sequence[Any]]],
    formatters: Sequence[Formatter],
    budget: RowBudget,
    page: PageRead,
) -> Iterator[Chunk]:
    """A DB-API cursor's rows as COPY text chunks, each as many rows as `budget` allows."""
    while rows := fetchmany(budget.rows()):
        page.rows += len(rows)
        page.last_row = rows[-1]
        data = format_rows(rows, formatters)
        budget.observe(len(rows), len(data))
        yield Chunk(data, len(rows))


class SourceConnectionLost(Exception):
    """The source's connection died while rows were streaming (server restart, KILL, network)."""


@dataclass
class SourceInfo:
    kind: str  # "mysql", "mssql", "odbc"
    description: str  # where we read from, without the password
    secrets: tuple[str, ...] = field(default_factory=tuple)  # literals to mask in any message


class ReflectionConnection:
    """`open()`/`close()` of the one connection a source reflects tables with; readers open their own."""

    _conn: Any = None

    def _connect(self) -> Any:
        raise NotImplementedError

    def open(self) -> None:
        self._conn = self._connect()

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(Exception):  # a connection the server dropped has nothing left to close
                conn.close()


class SqlSource(Protocol):
    info: SourceInfo
    driver_errors: tuple[type[BaseException], ...]

    def open(self) -> None:
        """Connect for reflection; a UserError naming the source when it is unreachable."""

    def close(self) -> None: ...

    def reflect(self, ref: TableRef) -> tuple[TableRef, list[SourceColumn], list[str]]:
        """Qualified table, its columns and primary key; a UserError when the table does not exist."""

    def map_type(self, column: SourceColumn, table: str) -> str:
        """Postgres type from the source's mapping table; UnsupportedTypeError otherwise."""

    def copy_format(self, plan: TablePlan) -> CopyFormat: ...

    def reader_for(self, plan: TablePlan) -> str:
        """Name of the reader that streams this table (reported in the sync result)."""

    def max_cursor(self, plan: TablePlan) -> Any:
        """The cursor column's maximum now, before reading: the highest watermark this read may store."""

    def key_bounds(self, plan: TablePlan) -> tuple[Any, Any]:
        """The smallest and largest value of the (one-column) primary key, (None, None) for an empty table:
        what a parallel read splits into ranges."""

    def read(self, request: ReadRequest) -> Iterator[Chunk]:
        """Stream the rows in bounded chunks; runs in a reader thread with its own connection."""
