"""MySQL/MariaDB source: reflection with pymysql, rows through connectorx (fast path) or pymysql.

Two readers produce the same Postgres rows (the tests check both value by value, in both modes):
- `connectorx` (fast path, used by full refreshes and incremental syncs alike): keyset pages on the
  primary key decoded in Rust to Arrow batches and written as CSV by Arrow's C++ writer; types Arrow
  could round (decimals, dates, bits, binary) are cast to their exact text in the SELECT. Bound by
  Postgres' COPY speed.
- `pymysql` (portable, for tables without an integer or text key): an unbuffered SSCursor inside ONE
  consistent-snapshot transaction, values taken as the server's text (FLOAT widened to DOUBLE first:
  the text protocol rounds FLOAT to 6 digits) and written as COPY text.
Pages and chunks are sized in bytes (see `RowBudget`), so memory stays bounded for any row width.
Pages are separate reads, so the engine never stores a watermark above the cursor's maximum taken
before the read (`max_cursor`): a row changed while its page was already read is read again next time.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal

from data_manager.errors import UserError
from data_manager.ingestion.masking import mask_secrets
from data_manager.ingestion.sql.connections import MySQLConnection
from data_manager.ingestion.sql.copy_format import FORMATTERS, Formatter
from data_manager.ingestion.sql.identifiers import TableRef, quote_mysql
from data_manager.ingestion.sql.rust_panics import rust_panics_hidden
from data_manager.ingestion.sql.source import (
    Chunk,
    CopyFormat,
    PageRead,
    ReadRequest,
    ReflectionConnection,
    RowBudget,
    SourceConnectionLost,
    SourceInfo,
    TablePlan,
    text_chunks,
)
from data_manager.ingestion.sql.type_mapping import SourceColumn, map_mysql_column, mysql_type_key

if TYPE_CHECKING:
    import pymysql

Reader = Literal["auto", "pymysql", "connectorx"]
PAGE_ROWS = 200_000  # rows per keyset page (pymysql reader); chunks inside a page follow the byte budget
CONNECTORX_PAGE_ROWS = 50_000  # at most this many rows per connectorx page (one query)
CONNECTORX_PAGE_BYTES = 16 << 20  # connectorx reads a page ahead of COPY: this bounds its memory
CONNECTORX_BATCH_ROWS = 10_000  # at most this many rows per Arrow batch (one COPY chunk)
# pymysql error codes meaning the connection itself is gone (not the query)
_CONNECTION_LOST_CODES = {1053, 1927, 2006, 2013, 2055}
_CONNECTORX_LOST = re.compile(
    r"io error|connection was killed|lost connection|broken pipe|connection reset|server has gone away|"
    r"unexpected ?eof|bytes remaining on stream|connection refused|server disconnected",
    re.IGNORECASE,
)

_INTEGER_KEYS = {
    "tinyint", "tinyint unsigned", "smallint", "smallint unsigned", "mediumint", "mediumint unsigned",
    "int", "int unsigned", "bigint", "bigint unsigned", "year",
}  # fmt: skip
_TEXT_KEYS = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "json", "enum", "set"}
_BINARY_KEYS = {"binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"}
_SESSION_UTC = "SET time_zone = '+00:00'"
_FAST_KEY_TYPES = (_INTEGER_KEYS - {"bigint unsigned", "year"}) | {"char", "varchar"}


def pymysql_formatter(column: SourceColumn) -> Formatter:
    """How a raw (unconverted) pymysql value of this column becomes COPY text."""
    key = mysql_type_key(column)
    if key in _TEXT_KEYS:
        return FORMATTERS["text"]
    if key in _BINARY_KEYS:
        return FORMATTERS["bytea"]
    if key == "bit(1)":
        return FORMATTERS["boolean"]
    if key in {"bit", "bit(64)"}:
        return FORMATTERS["bit_integer"]
    if key == "timestamp":
        return FORMATTERS["utc_timestamp"]
    return FORMATTERS["ascii"]


def pymysql_expression(column: SourceColumn) -> str:
    """SELECT expression for the pymysql reader: the text protocol sends FLOAT with 6 significant digits
    (16777216 as 16777200), DOUBLE exactly; Postgres rounds the double back to the same `real`."""
    name = quote_mysql(column.name)
    return f"CAST({name} AS DOUBLE)" if mysql_type_key(column) in {"float", "float unsigned"} else name


def connectorx_expression(column: SourceColumn) -> str:
    """SELECT expression for the fast path: native where Arrow is exact, the server's text otherwise."""
    name = quote_mysql(column.name)
    key = mysql_type_key(column)
    if key in _INTEGER_KEYS - {"bigint unsigned", "year"} or key in {"char", "varchar", "tinytext", "text"}:
        return name
    if key in {"mediumtext", "longtext", "json", "float", "float unsigned", "double", "double unsigned"}:
        return name
    if key in _BINARY_KEYS:
        return f"CONCAT(CHAR(92), 'x', HEX({name}))"  # \x<hex>: bytea's hex input format
    if key == "timestamp":
        return f"CONCAT(CAST({name} AS CHAR), '+00')"
    if key in {"bit(1)", "bit", "bit(64)"}:
        return f"CAST({name} AS UNSIGNED)"
    return f"CAST({name} AS CHAR)"


def build_select(
    plan: TablePlan,
    expressions: list[str],
    watermark: Any | None,
    after_key: tuple | None,
    limit: int | None,
    literal: Callable[[Any], str] | None = None,
    until: Any | None = None,
    key_until: Any | None = None,
) -> tuple[str, list[Any]]:
    """SELECT for one page: optional `cursor >= watermark` (and `<= until`), keyset `key > last key`, ordered by the key.

    With `literal`, values are inlined with it (connectorx takes no parameters); otherwise they become
    pymysql `%s` parameters and any `%` in names is doubled.
    """
    marker = "\x00param\x00"
    params: list[Any] = []

    def value(v: Any) -> str:
        if literal is not None:
            return literal(v)
        params.append(v)
        return marker

    table = f"{quote_mysql(plan.ref.schema or '')}.{quote_mysql(plan.ref.name)}"
    query = f"SELECT {', '.join(expressions)} FROM {table}"
    where: list[str] = []
    if watermark is not None and plan.cursor:
        where.append(f"{quote_mysql(plan.cursor.source.name)} >= {value(_mysql_param(watermark))}")
    if until is not None and plan.cursor:
        where.append(f"{quote_mysql(plan.cursor.source.name)} <= {value(_mysql_param(until))}")
    if after_key is not None:
        keys = [quote_mysql(name) for name in plan.primary_key]
        # (k1, k2) > (a, b) spelled out, with a leading k1 >= a so the optimizer scans a range of the key
        lead = f"{keys[0]} >= {value(after_key[0])} AND " if len(keys) > 1 else ""
        alternatives = []
        for i in range(len(keys)):
            terms = [f"{keys[j]} = {value(after_key[j])}" for j in range(i)] + [f"{keys[i]} > {value(after_key[i])}"]
            alternatives.append("(" + " AND ".join(terms) + ")")
        if len(keys) == 1:
            where.append(alternatives[0][1:-1])
        else:
            where.append(f"({lead}({' OR '.join(alternatives)}))")
    if key_until is not None and plan.primary_key:
        where.append(f"{quote_mysql(plan.primary_key[0])} <= {value(key_until)}")
    if where:
        query += " WHERE " + " AND ".join(where)
    if plan.primary_key and limit is not None:
        query += " ORDER BY " + ", ".join(quote_mysql(name) for name in plan.primary_key) + f" LIMIT {int(limit)}"
    if literal is None:
        query = query.replace("%", "%%").replace(marker, "%s")
    return query, params


def _mysql_param(value: Any) -> Any:
    """Watermarks of TIMESTAMP columns come back from Postgres tz-aware; the MySQL session runs in UTC."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _key_value(raw: Any, column: SourceColumn) -> Any:
    """A raw key value as a typed parameter for the next page's keyset predicate."""
    key = mysql_type_key(column)
    if key in _BINARY_KEYS or not isinstance(raw, bytes | bytearray):
        return raw
    text = bytes(raw).decode("utf-8")
    return int(text) if key in _INTEGER_KEYS else text


class MySQLSource(ReflectionConnection):
    """A MySQL/MariaDB database reached with pymysql (reflection) and the chosen reader (rows)."""

    def __init__(self, connection: MySQLConnection, reader: Reader = "auto"):
        if reader not in ("auto", "pymysql", "connectorx"):
            raise UserError(f"invalid reader {reader!r}: use auto, pymysql or connectorx")
        self.connection = connection
        self.reader = reader
        self.fast_path_available = _connectorx_installed()
        if reader == "connectorx" and not self.fast_path_available:
            raise UserError("reader connectorx is not installed: pip install connectorx pyarrow")
        self.info = SourceInfo("mysql", connection.safe_description(), (connection.password,))
        import pymysql

        self.driver_errors: tuple[type[BaseException], ...] = (pymysql.MySQLError,)

    @classmethod
    def from_url(cls, url: str, reader: Reader = "auto") -> MySQLSource:
        """`mysql://user:password@host:port/database`; a UserError (password masked) for a bad URL."""
        return cls(MySQLConnection.from_url(url), reader)

    def _connect(self, **kwargs: Any) -> pymysql.connections.Connection:
        import pymysql

        c = self.connection
        try:
            return pymysql.connect(
                host=c.host, port=c.port, user=c.user, password=c.password, database=c.database,
                charset="utf8mb4", connect_timeout=10, init_command=_SESSION_UTC, **kwargs,
            )  # fmt: skip
        except pymysql.MySQLError as exc:
            reason = mask_secrets(str(exc.args[-1] if exc.args else exc), self.info.secrets)
            raise UserError(f"cannot connect to MySQL at {self.info.description}: {reason}") from None

    def reflect(self, ref: TableRef) -> tuple[TableRef, list[SourceColumn], list[str]]:
        assert self._conn is not None, "open() first"
        schema = ref.schema or self.connection.database
        with self._conn.cursor() as cur:
            cur.execute(
                "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, CHARACTER_MAXIMUM_LENGTH,"
                " NUMERIC_PRECISION, NUMERIC_SCALE FROM information_schema.COLUMNS"
                " WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION",
                (schema, ref.name),
            )
            rows = cur.fetchall()
            if not rows:
                raise UserError(f"table {schema}.{ref.name} not found in {self.info.description}")
            cur.execute(
                "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = %s"
                " AND TABLE_NAME = %s AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION",
                (schema, ref.name),
            )
            primary_key = [row[0] for row in cur.fetchall()]
            json_columns = self._mariadb_json_columns(cur, schema, ref.name)
        columns = []
        for name, data_type, column_type, nullable, char_len, precision, scale in rows:
            data_type = data_type.lower()
            columns.append(
                SourceColumn(
                    name=name,
                    data_type=data_type,
                    nullable=nullable == "YES",
                    length=int(precision) if data_type == "bit" else (int(char_len) if char_len else None),
                    precision=int(precision) if precision is not None else None,
                    scale=int(scale) if scale is not None else None,
                    unsigned="unsigned" in column_type.lower(),
                    is_json=name in json_columns,
                )
            )
        return TableRef(ref.name, schema), columns, primary_key

    @staticmethod
    def _mariadb_json_columns(cur: Any, schema: str, table: str) -> set[str]:
        """MariaDB's JSON is LONGTEXT plus CHECK (json_valid(`col`)); MySQL reports `json` directly."""
        import pymysql

        try:
            cur.execute(
                "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
                " WHERE CONSTRAINT_SCHEMA = %s AND TABLE_NAME = %s",
                (schema, table),
            )
        except pymysql.MySQLError:
            return set()
        found = set()
        for (clause,) in cur.fetchall():
            text = str(clause).strip()
            if text.lower().startswith("json_valid(`") and text.endswith("`)"):
                found.add(text[len("json_valid(`") : -2].replace("``", "`"))
        return found

    def map_type(self, column: SourceColumn, table: str) -> str:
        return map_mysql_column(column, table)

    def reader_for(self, plan: TablePlan) -> Literal["pymysql", "connectorx"]:
        """`auto` takes the fast path for every table with an integer or text key (full and incremental)."""
        if self.reader != "auto":
            return self.reader
        if self.fast_path_available and _keyset_friendly(plan):
            return "connectorx"
        return "pymysql"

    def max_cursor(self, plan: TablePlan) -> Any:
        if plan.cursor is None:
            return None
        row = self._first_row(plan, f"MAX({pymysql_expression(plan.cursor.source)})")
        value = row[0] if row else None
        return None if isinstance(value, bytes | bytearray) else value  # BIT cursors: no bound

    def key_bounds(self, plan: TablePlan) -> tuple[Any, Any]:
        key = quote_mysql(plan.primary_key[0])
        row = self._first_row(plan, f"MIN({key}), MAX({key})")
        return (row[0], row[1]) if row else (None, None)

    def _first_row(self, plan: TablePlan, aggregates: str) -> Any:
        """`SELECT aggregates FROM` the plan's table: its one row."""
        assert self._conn is not None, "open() first"
        table = f"{quote_mysql(plan.ref.schema or '')}.{quote_mysql(plan.ref.name)}"
        with self._conn.cursor() as cur:
            cur.execute(f"SELECT {aggregates} FROM {table}".replace("%", "%%"))
            return cur.fetchone()

    def copy_format(self, plan: TablePlan) -> CopyFormat:
        return "csv" if self.reader_for(plan) == "connectorx" else "text"

    def read(self, request: ReadRequest) -> Iterator[Chunk]:
        if self.reader_for(request.table) == "connectorx":
            return self._read_connectorx(request)
        return self._read_pymysql(request)

    def _read_pymysql(self, request: ReadRequest) -> Iterator[Chunk]:
        import pymysql
        import pymysql.converters
        import pymysql.cursors

        plan = request.table
        # encoders only: values arrive exactly as the server renders them, no per-value Python parsing
        raw = {k: v for k, v in pymysql.converters.conversions.items() if not isinstance(k, int)}
        conn = self._connect(conv=raw, cursorclass=pymysql.cursors.SSCursor)
        formatters = [pymysql_formatter(c.source) for c in plan.columns]
        expressions = [pymysql_expression(c.source) for c in plan.columns]
        key_positions = [next(i for i, c in enumerate(plan.columns) if c.source.name == k) for k in plan.primary_key]
        key_columns = [plan.column(k).source for k in plan.primary_key]
        budget = RowBudget(request.chunk_bytes, request.chunk_rows)
        cur = conn.cursor()
        finished = False
        try:
            cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            after: tuple | None = request.key_after
            while True:
                limit = PAGE_ROWS if plan.primary_key else None
                query, params = build_select(
                    plan, expressions, request.watermark, after, limit, until=request.until, key_until=request.key_until
                )
                cur.execute(query, params)
                page = PageRead()
                yield from text_chunks(cur.fetchmany, formatters, budget, page)
                if limit is None or page.rows < limit or page.last_row is None:
                    break
                after = tuple(
                    _key_value(page.last_row[i], col) for i, col in zip(key_positions, key_columns, strict=True)
                )
            cur.execute("COMMIT")
            finished = True
        except Exception as exc:
            if not conn.open or _pymysql_connection_lost(exc):
                raise SourceConnectionLost(_pymysql_reason(exc)) from None
            raise
        finally:
            _close(conn, cur, finished)

    def _read_connectorx(self, request: ReadRequest) -> Iterator[Chunk]:
        """Keyset pages (when there is a key), sized in bytes, so connectorx never buffers much ahead."""
        import pymysql.converters

        plan = request.table

        def literal(value: Any) -> str:
            return str(pymysql.converters.escape_item(value, "utf8mb4"))

        expressions = [f"{connectorx_expression(c.source)} AS {quote_mysql(c.source.name)}" for c in plan.columns]
        key_positions = [next(i for i, c in enumerate(plan.columns) if c.source.name == k) for k in plan.primary_key]
        key_columns = [plan.column(k).source for k in plan.primary_key]
        paged = _keyset_friendly(plan)  # else one stream (forced reader only)
        pages = RowBudget(CONNECTORX_PAGE_BYTES, CONNECTORX_PAGE_ROWS)
        batches = RowBudget(request.chunk_bytes, min(request.chunk_rows, CONNECTORX_BATCH_ROWS))
        after: tuple | None = request.key_after
        with rust_panics_hidden():
            while True:
                limit = pages.rows() if paged else None
                query, _ = build_select(
                    plan,
                    expressions,
                    request.watermark,
                    after,
                    limit,
                    literal=literal,
                    until=request.until,
                    key_until=request.key_until,
                )
                page_rows = page_bytes = 0
                last_batch = None
                for batch, data in self._connectorx_page(query, batches.rows()):
                    page_rows += batch.num_rows
                    page_bytes += len(data)
                    last_batch = batch
                    batches.observe(batch.num_rows, len(data))
                    yield Chunk(data, batch.num_rows)
                pages.observe(page_rows, page_bytes)
                if limit is None or page_rows < limit or last_batch is None:
                    return
                after = tuple(
                    _key_value(last_batch.column(i)[last_batch.num_rows - 1].as_py(), col)
                    for i, col in zip(key_positions, key_columns, strict=True)
                )

    def _connectorx_page(self, query: str, batch_rows: int) -> Iterator[tuple[Any, bytes]]:
        """One query through connectorx: (Arrow batch, its CSV) pairs; a lost connection is named as such."""
        import connectorx
        import pyarrow as pa
        import pyarrow.csv as pacsv

        options = pacsv.WriteOptions(include_header=False, batch_size=max(256, batch_rows))
        try:
            stream = connectorx.read_sql(
                self.connection.url(),
                query,
                return_type="arrow_stream",
                batch_size=batch_rows,
                pre_execution_query=[_SESSION_UTC],
            )
            for batch in stream:
                if batch.num_rows == 0:
                    continue
                buffer = io.BytesIO()
                pacsv.write_csv(pa.Table.from_batches([batch]), buffer, options)
                yield batch, buffer.getvalue()
        except BaseException as exc:  # a Rust panic (pyo3 PanicException) is a BaseException
            if isinstance(exc, GeneratorExit | KeyboardInterrupt | SystemExit):
                raise
            text = " ".join(str(exc).split())
            if _CONNECTORX_LOST.search(text):
                raise SourceConnectionLost(text) from None
            raise


def _pymysql_connection_lost(exc: BaseException) -> bool:
    import pymysql

    if isinstance(exc, pymysql.OperationalError) and exc.args and exc.args[0] in _CONNECTION_LOST_CODES:
        return True
    return isinstance(exc, pymysql.InterfaceError | ConnectionError | EOFError)


def _pymysql_reason(exc: BaseException) -> str:
    if isinstance(exc, AttributeError):  # pymysql reading from a socket it already closed
        return "the server closed the connection"
    args = getattr(exc, "args", ())
    return str(args[-1]) if args else (str(exc) or type(exc).__name__)


def _forget_unread_results(conn: Any, cur: Any) -> None:
    """An unbuffered result on a dead connection would try to drain itself when garbage-collected and
    print "Exception ignored ... Traceback"; nothing is left to read, so say so (pymysql has no API)."""
    for result in (getattr(cur, "_result", None), getattr(conn, "_result", None)):
        if result is not None:
            result.unbuffered_active = False
    cur._result = None
    conn._result = None


def _close(conn: Any, cur: Any, finished: bool) -> None:
    """Close the reader's connection; one that stopped early (or died) is dropped without draining its rows."""
    if finished:
        cur.close()
        conn.close()
        return
    _forget_unread_results(conn, cur)
    if conn.open:
        conn._force_close()


def _keyset_friendly(plan: TablePlan) -> bool:
    """Keys whose connectorx values can be fed back as exact literals: integers and text."""
    return bool(plan.primary_key) and all(mysql_type_key(c.source) in _FAST_KEY_TYPES for c in plan.key_columns)


def _connectorx_installed() -> bool:
    try:
        import connectorx  # noqa: F401
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    return True
