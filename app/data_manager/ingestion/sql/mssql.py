"""SQL Server source through pyodbc (any ODBC driver), over the shared engine.

Reflection uses the ANSI INFORMATION_SCHEMA views and reading uses standard SQL (double-quoted names,
`?` parameters, `ORDER BY ... OFFSET 0 ROWS FETCH NEXT n ROWS ONLY` keyset pages), so the same code
path also reads other ODBC databases: `OdbcSource.from_url` takes the type table to apply. Each page is
a bounded query, so memory stays bounded even with drivers that buffer whole result sets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from data_manager.errors import UserError
from data_manager.ingestion.masking import mask_secrets
from data_manager.ingestion.sql.connections import odbc_connection_string, odbc_password
from data_manager.ingestion.sql.copy_format import FORMATTERS
from data_manager.ingestion.sql.identifiers import TableRef, quote_ansi
from data_manager.ingestion.sql.source import (
    Chunk,
    CopyFormat,
    PageRead,
    ReadRequest,
    ReflectionConnection,
    RowBudget,
    SourceInfo,
    TablePlan,
    text_chunks,
)
from data_manager.ingestion.sql.type_mapping import SourceColumn, map_ansi_column, map_mssql_column

TypeMapper = Callable[[SourceColumn, str], str]
PAGE_ROWS = 100_000

# Columns pyodbc cannot fetch natively are read as their documented text rendering instead.
MSSQL_READ_EXPRESSIONS: dict[str, str] = {
    # 'YYYY-MM-DD hh:mm:ss.nnnnnnn +hh:mm', which Postgres parses as timestamptz
    "datetimeoffset": "CAST({column} AS nvarchar(34))",
}

REFLECT_COLUMNS_SQL = (
    "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE"
    " FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION"
)
REFLECT_PRIMARY_KEY_SQL = (
    "SELECT kcu.COLUMN_NAME FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc"
    " JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE kcu ON kcu.CONSTRAINT_NAME = tc.CONSTRAINT_NAME"
    " AND kcu.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND kcu.TABLE_NAME = tc.TABLE_NAME"
    " WHERE tc.CONSTRAINT_TYPE = 'PRIMARY KEY' AND tc.TABLE_SCHEMA = ? AND tc.TABLE_NAME = ?"
    " ORDER BY kcu.ORDINAL_POSITION"
)


def select_expression(column: SourceColumn) -> str:
    quoted = quote_ansi(column.name)
    template = MSSQL_READ_EXPRESSIONS.get(column.data_type.lower())
    return f"{template.format(column=quoted)} AS {quoted}" if template else quoted


def build_page_query(
    plan: TablePlan,
    with_watermark: bool,
    after_key: tuple | None,
    page_rows: int | None,
    with_until: bool = False,
    key_until: Any | None = None,
) -> tuple[str, list[Any]]:
    """One keyset page: `cursor >= ?` (incremental) and `<= ?` (a backfill's range end), key > last key
    (and <= `key_until`: a parallel read's range), ordered by the key, at most n rows."""
    table = f"{quote_ansi(plan.ref.schema or 'dbo')}.{quote_ansi(plan.ref.name)}"
    query = f"SELECT {', '.join(select_expression(c.source) for c in plan.columns)} FROM {table}"
    where: list[str] = []
    params: list[Any] = []
    if with_watermark and plan.cursor:
        where.append(f"{quote_ansi(plan.cursor.source.name)} >= ?")
    if with_until and plan.cursor:
        where.append(f"{quote_ansi(plan.cursor.source.name)} <= ?")
    if after_key is not None:
        keys = [quote_ansi(name) for name in plan.primary_key]
        alternatives = []
        for i in range(len(keys)):
            alternatives.append("(" + " AND ".join([*(f"{keys[j]} = ?" for j in range(i)), f"{keys[i]} > ?"]) + ")")
            params.extend([*after_key[:i], after_key[i]])
        where.append("(" + " OR ".join(alternatives) + ")")
    if key_until is not None and plan.primary_key:
        where.append(f"{quote_ansi(plan.primary_key[0])} <= ?")
        params.append(key_until)
    if where:
        query += " WHERE " + " AND ".join(where)
    if plan.primary_key and page_rows is not None:
        order = ", ".join(quote_ansi(name) for name in plan.primary_key)
        query += f" ORDER BY {order} OFFSET 0 ROWS FETCH NEXT {int(page_rows)} ROWS ONLY"
    return query, params


def import_pyodbc() -> ModuleType:
    """pyodbc, or a one-line error when the system's ODBC driver manager (unixODBC) is missing."""
    try:
        import pyodbc
    except ImportError as exc:
        raise UserError(
            f"pyodbc cannot load the ODBC driver manager ({exc}): install unixODBC (apt-get install unixodbc)"
        ) from None
    return pyodbc


class OdbcSource(ReflectionConnection):
    """A database reached through pyodbc; `type_mapper` is the source's mapping table."""

    def __init__(
        self,
        connection_string: str,
        *,
        kind: str = "mssql",
        type_mapper: TypeMapper = map_mssql_column,
        default_schema: str = "dbo",
        page_rows: int = PAGE_ROWS,
    ):
        self.connection_string = connection_string
        self.type_mapper = type_mapper
        self.default_schema = default_schema
        self.page_rows = page_rows
        password = odbc_password(connection_string)
        self.info = SourceInfo(kind, mask_secrets(_describe(connection_string)), (password,) if password else ())
        self._pyodbc = import_pyodbc()
        self.driver_errors: tuple[type[BaseException], ...] = (self._pyodbc.Error,)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        kind: str = "odbc",
        type_mapper: TypeMapper = map_ansi_column,
        default_schema: str = "dbo",
        page_rows: int = PAGE_ROWS,
    ) -> OdbcSource:
        """Any ODBC source with the given type table, from an ODBC string or `mssql://` URL."""
        return cls(
            odbc_connection_string(url),
            kind=kind,
            type_mapper=type_mapper,
            default_schema=default_schema,
            page_rows=page_rows,
        )

    @classmethod
    def mssql(cls, url: str) -> OdbcSource:
        """SQL Server (tables in `dbo` unless named `schema.table`) from an ODBC string or `mssql://` URL."""
        return cls.from_url(url, kind="mssql", type_mapper=map_mssql_column, default_schema="dbo")

    def _connect(self) -> Any:
        try:
            return self._pyodbc.connect(self.connection_string, timeout=10, autocommit=True)
        except self._pyodbc.Error as exc:
            reason = mask_secrets(" ".join(str(exc.args[-1] if exc.args else exc).split()), self.info.secrets)
            raise UserError(f"cannot connect to {self.info.kind} at {self.info.description}: {reason}") from None

    def reflect(self, ref: TableRef) -> tuple[TableRef, list[SourceColumn], list[str]]:
        assert self._conn is not None, "open() first"
        schema = ref.schema or self.default_schema
        cur = self._conn.cursor()
        try:
            rows = cur.execute(REFLECT_COLUMNS_SQL, schema, ref.name).fetchall()
            if not rows:
                raise UserError(f"table {schema}.{ref.name} not found in {self.info.description}")
            primary_key = [row[0] for row in cur.execute(REFLECT_PRIMARY_KEY_SQL, schema, ref.name).fetchall()]
        finally:
            cur.close()
        columns = [
            SourceColumn(
                name=name,
                data_type=str(data_type).lower(),
                nullable=str(nullable).upper() == "YES",
                length=int(length) if length is not None else None,
                precision=int(precision) if precision is not None else None,
                scale=int(scale) if scale is not None else None,
            )
            for name, data_type, nullable, length, precision, scale in rows
        ]
        return TableRef(ref.name, schema), columns, primary_key

    def map_type(self, column: SourceColumn, table: str) -> str:
        return self.type_mapper(column, table)

    def copy_format(self, plan: TablePlan) -> CopyFormat:
        return "text"

    def reader_for(self, plan: TablePlan) -> str:
        return "pyodbc"

    def max_cursor(self, plan: TablePlan) -> Any:
        if plan.cursor is None:
            return None
        row = self._first_row(plan, f"MAX({quote_ansi(plan.cursor.source.name)})")
        value = row[0] if row else None
        return None if isinstance(value, bytes | bytearray) else _odbc_param(value)

    def key_bounds(self, plan: TablePlan) -> tuple[Any, Any]:
        assert self._conn is not None, "open() first"
        key = quote_ansi(plan.primary_key[0])
        row = self._first_row(plan, f"MIN({key}), MAX({key})")
        return (row[0], row[1]) if row else (None, None)

    def _first_row(self, plan: TablePlan, aggregates: str) -> Any:
        """`SELECT aggregates FROM` the plan's table: its one row."""
        assert self._conn is not None, "open() first"
        table = f"{quote_ansi(plan.ref.schema or self.default_schema)}.{quote_ansi(plan.ref.name)}"
        cur = self._conn.cursor()
        try:
            return cur.execute(f"SELECT {aggregates} FROM {table}").fetchone()
        finally:
            cur.close()

    def read(self, request: ReadRequest) -> Iterator[Chunk]:
        plan = request.table
        formatters = [FORMATTERS["bytea"] if c.pg_type == "bytea" else FORMATTERS["python"] for c in plan.columns]
        key_positions = [next(i for i, c in enumerate(plan.columns) if c.source.name == k) for k in plan.primary_key]
        bounds = (request.watermark, request.until)
        base_params = [_odbc_param(bound) for bound in bounds if bound is not None]
        budget = RowBudget(request.chunk_bytes, request.chunk_rows)
        conn = self._connect()
        try:
            cur = conn.cursor()
            after: tuple | None = request.key_after
            while True:
                limit = self.page_rows if plan.primary_key else None
                query, params = build_page_query(
                    plan,
                    request.watermark is not None,
                    after,
                    limit,
                    with_until=request.until is not None,
                    key_until=request.key_until,
                )
                cur.execute(query, *(base_params + params))
                page = PageRead()
                yield from text_chunks(cur.fetchmany, formatters, budget, page)
                if limit is None or page.rows < limit or page.last_row is None:
                    break
                after = tuple(page.last_row[i] for i in key_positions)
            cur.close()
        finally:
            conn.close()


def _odbc_param(value: Any) -> Any:
    """pyodbc binds datetimes without their zone: pass instants as UTC (SQL Server reads them as +00:00)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _describe(connection_string: str) -> str:
    """`mssql` source description: the ODBC string without credentials."""
    parts = [p for p in connection_string.split(";") if p.strip()]
    keep = [p for p in parts if p.split("=", 1)[0].strip().upper() not in {"PWD", "PASSWORD"}]
    return ";".join(keep)
