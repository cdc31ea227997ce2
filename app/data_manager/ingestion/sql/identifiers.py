"""Table and column names: validate what users pass in, quote everything we put in SQL.

User input (table names, schemas, prefixes, cursor columns) is validated against a strict pattern so an
error names the bad value up front; identifiers are still quoted everywhere, so validation is a courtesy,
not the only line of defence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from data_manager.errors import UserError

_PART = r"[A-Za-z0-9_$]{1,64}"
_IDENTIFIER = re.compile(rf"^{_PART}$")
_TABLE = re.compile(rf"^(?:(?P<schema>{_PART})\.)?(?P<name>{_PART})$")


@dataclass(frozen=True)
class TableRef:
    """A source table, optionally qualified by its schema (MSSQL) or database (MySQL)."""

    name: str
    schema: str | None = None

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


def parse_table_name(raw: str) -> TableRef:
    """`orders` or `sales.orders`; anything else is a UserError naming the value."""
    match = _TABLE.match(raw.strip())
    if not match:
        raise UserError(f"invalid table name {raw!r}: use letters, digits, _ or $ (optionally schema.table)")
    return TableRef(name=match["name"], schema=match["schema"])


def parse_table_list(raw: str | list[str] | tuple[str, ...]) -> list[TableRef]:
    """A comma-separated string or a list of names; duplicates and empty lists are errors."""
    items = [part.strip() for part in raw.split(",")] if isinstance(raw, str) else [str(p).strip() for p in raw]
    items = [item for item in items if item]
    if not items:
        raise UserError("no tables given: pass at least one table name")
    refs = [parse_table_name(item) for item in items]
    seen: set[str] = set()
    for ref in refs:
        if str(ref).lower() in seen:
            raise UserError(f"table {ref} is listed twice")
        seen.add(str(ref).lower())
    return refs


def validate_identifier(value: str, what: str) -> str:
    """A schema, prefix part or column name given by the user."""
    if not _IDENTIFIER.match(value or ""):
        raise UserError(f"invalid {what} {value!r}: use letters, digits, _ or $ (at most 64 characters)")
    return value


def quote_mysql(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def quote_ansi(identifier: str) -> str:
    """Double-quoted identifier: SQL Server (QUOTED_IDENTIFIER is on for ODBC), Postgres and SQLite accept it."""
    return '"' + identifier.replace('"', '""') + '"'
