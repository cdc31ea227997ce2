"""Source column types -> Postgres types, as declarative tables (the tests walk every entry).

Keys are the source's base type name as INFORMATION_SCHEMA reports it, with a qualifier where the
qualifier changes the mapping (`int unsigned`, `bit(1)`, `nvarchar(max)`). Values are Postgres types;
`{precision}`, `{scale}` and `{length}` are filled from the column. A type that is not in the table is
an error naming the column and the type: we never guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from data_manager.errors import UserError

MYSQL_TYPES: dict[str, str] = {
    # integers: unsigned ones widen to the next type that holds their whole range
    "tinyint": "smallint",
    "tinyint unsigned": "smallint",
    "smallint": "smallint",
    "smallint unsigned": "integer",
    "mediumint": "integer",
    "mediumint unsigned": "integer",
    "int": "integer",
    "int unsigned": "bigint",
    "bigint": "bigint",
    "bigint unsigned": "numeric(20,0)",
    "year": "smallint",
    # exact and approximate numbers
    "decimal": "numeric({precision},{scale})",
    "decimal unsigned": "numeric({precision},{scale})",
    "float": "real",
    "float unsigned": "real",
    "double": "double precision",
    "double unsigned": "double precision",
    # bits: BIT(1) is a flag; wider BIT(n) columns are bit masks, kept as their integer value
    "bit(1)": "boolean",
    "bit": "bigint",
    "bit(64)": "numeric(20,0)",  # values reach 2^64 - 1, past bigint
    # dates and times: DATETIME is wall-clock time, TIMESTAMP is an instant (read in UTC)
    "date": "date",
    "datetime": "timestamp",
    "timestamp": "timestamptz",
    "time": "interval",
    # text
    "char": "varchar({length})",
    "varchar": "varchar({length})",
    "tinytext": "text",
    "text": "text",
    "mediumtext": "text",
    "longtext": "text",
    "json": "jsonb",
    "enum": "text",
    "set": "text",
    # binary
    "binary": "bytea",
    "varbinary": "bytea",
    "tinyblob": "bytea",
    "blob": "bytea",
    "mediumblob": "bytea",
    "longblob": "bytea",
}

MSSQL_TYPES: dict[str, str] = {
    "bit": "boolean",
    "tinyint": "smallint",  # 0..255 in SQL Server
    "smallint": "smallint",
    "int": "integer",
    "bigint": "bigint",
    "decimal": "numeric({precision},{scale})",
    "numeric": "numeric({precision},{scale})",
    "money": "numeric(19,4)",
    "smallmoney": "numeric(10,4)",
    "float": "double precision",
    "real": "real",
    "date": "date",
    "datetime": "timestamp",
    "datetime2": "timestamp",
    "smalldatetime": "timestamp",
    "datetimeoffset": "timestamptz",
    "time": "time",
    "char": "varchar({length})",
    "nchar": "varchar({length})",
    "varchar": "varchar({length})",
    "nvarchar": "varchar({length})",
    "varchar(max)": "text",
    "nvarchar(max)": "text",
    "text": "text",
    "ntext": "text",
    "xml": "text",
    "uniqueidentifier": "uuid",
    "binary": "bytea",
    "varbinary": "bytea",
    "varbinary(max)": "bytea",
    "image": "bytea",
    "rowversion": "bytea",
    "timestamp": "bytea",  # INFORMATION_SCHEMA's name for ROWVERSION
}

# Type names as standard-conforming databases report them in INFORMATION_SCHEMA.COLUMNS (PostgreSQL,
# reached through psqlODBC): lets the ODBC path read such sources too, and lets the tests drive the real
# pyodbc code path without a SQL Server.
ANSI_TYPES: dict[str, str] = {
    "boolean": "boolean",
    "smallint": "smallint",
    "integer": "integer",
    "bigint": "bigint",
    "numeric": "numeric({precision},{scale})",
    "real": "real",
    "double precision": "double precision",
    "date": "date",
    "timestamp without time zone": "timestamp",
    "timestamp with time zone": "timestamptz",
    "character varying": "varchar({length})",
    "character": "varchar({length})",
    "text": "text",
    "uuid": "uuid",
    "bytea": "bytea",
}


@dataclass(frozen=True)
class SourceColumn:
    """One reflected source column; `data_type` is INFORMATION_SCHEMA's base type name, lower case."""

    name: str
    data_type: str
    nullable: bool = True
    length: int | None = None  # characters or bits; -1 means MAX (SQL Server)
    precision: int | None = None
    scale: int | None = None
    unsigned: bool = False
    is_json: bool = False  # MariaDB stores JSON as LONGTEXT with a json_valid() check


class UnsupportedTypeError(UserError):
    """A column whose source type has no entry in the mapping table."""


def mysql_type_key(column: SourceColumn) -> str:
    base = column.data_type.lower()
    if column.is_json:
        return "json"
    if base == "bit" and column.length in (1, 64):
        return f"bit({column.length})"
    if column.unsigned and f"{base} unsigned" in MYSQL_TYPES:
        return f"{base} unsigned"
    return base


def mssql_type_key(column: SourceColumn) -> str:
    base = column.data_type.lower()
    if column.length == -1 and f"{base}(max)" in MSSQL_TYPES:
        return f"{base}(max)"
    return base


def ansi_type_key(column: SourceColumn) -> str:
    return column.data_type.lower()


def map_column(column: SourceColumn, table: str, types: dict[str, str], key: str, source_name: str) -> str:
    """Postgres type for `column`, or UnsupportedTypeError naming table, column and type."""
    template = types.get(key)
    if template is None:
        raise UnsupportedTypeError(f"table {table}: column {column.name!r} has unsupported {source_name} type {key!r}")
    if "{length}" in template and (column.length is None or column.length <= 0):
        return "text"
    if "{precision}" in template and column.precision is None:
        return "numeric"
    return template.format(length=column.length, precision=column.precision, scale=column.scale or 0)


def map_mysql_column(column: SourceColumn, table: str = "?") -> str:
    return map_column(column, table, MYSQL_TYPES, mysql_type_key(column), "MySQL")


def map_mssql_column(column: SourceColumn, table: str = "?") -> str:
    return map_column(column, table, MSSQL_TYPES, mssql_type_key(column), "SQL Server")


def map_ansi_column(column: SourceColumn, table: str = "?") -> str:
    return map_column(column, table, ANSI_TYPES, ansi_type_key(column), "ODBC")
