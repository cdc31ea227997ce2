"""What the engine needs from a source database, and the plan it builds for each table.

A source (MySQL, SQL Server/ODBC) only knows how to reflect a table, map its column types and stream
its rows as COPY-ready chunks. Everything about Postgres, staging and atomic swaps lives in the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

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


@dataclass(frozen=True)
class ReadRequest:
    """Read all rows of `table` (or those with cursor >= `watermark`), `chunk_rows` per chunk."""

    table: TablePlan
    chunk_rows: int
    watermark: Any | None = None


@dataclass(frozen=True)
class Chunk:
    data: bytes  # COPY payload in the source's `copy_format`
    rows: int


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
            self._conn.close()
            self._conn = None


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

    def read(self, request: ReadRequest) -> Iterator[Chunk]:
        """Stream the rows in bounded chunks; runs in a reader thread with its own connection."""
