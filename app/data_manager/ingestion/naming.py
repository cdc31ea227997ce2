"""Names of the tables syncs write: the one contract for Dagster asset keys, dbt sources and purge.

Airbyte streams land in `<table_prefix_for(connector)><stream>`; SQL tables in `<prefix><table>`,
the prefix defaulting to `<database>_`. Keep these functions pure and stable: asset keys and dbt
sources are built from them, and `locations remove --purge` drops exactly the `OwnedTable`s that the
sync components declare with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from data_manager.errors import UserError
from data_manager.ingestion.sql.identifiers import TableRef

# The longest identifier Postgres keeps (longer ones are cut): tables, schemas, columns, location names.
POSTGRES_MAX_IDENTIFIER = 63
_NON_ALNUM = re.compile(r"[^a-z0-9]")


@dataclass(frozen=True, order=True)
class OwnedTable:
    """A table a sync component writes: `cache` names the Postgres it lives in (airbyte caches; SQL syncs
    write to the platform database, the `default` cache)."""

    schema: str
    name: str
    writer: Literal["airbyte", "sql"]
    cache: str = "default"

    def __str__(self) -> str:
        where = "" if self.cache == "default" else f" (cache {self.cache})"
        return f"{self.schema}.{self.name}{where}"


def table_prefix_for(connector_name: str) -> str:
    """Prefix of every cache table (and state row) of a connector.

    Strip a leading `source-`, lower-case, replace each non-alphanumeric character by `_`, append `_`:
    `source-faker` -> `faker_`, `sample-connector` -> `sample_connector_`.
    """
    name = connector_name.removeprefix("source-")
    if not name:
        raise ValueError(f"connector name {connector_name!r} leaves an empty table prefix")
    return _NON_ALNUM.sub("_", name.lower()) + "_"


def table_name_for(connector_name: str, stream: str) -> str:
    """Cache table of one stream: the prefix plus the stream name, as PyAirbyte's Postgres normalizer spells it."""
    normalized = _NON_ALNUM.sub("_", f"{table_prefix_for(connector_name)}{stream}".lower())
    if normalized[0].isdigit():
        normalized = f"_{normalized}"
    return normalized[:POSTGRES_MAX_IDENTIFIER]


def sql_table_prefix(database: str) -> str:
    """Default prefix of a SQL sync's tables: the source database's name, so two databases never collide."""
    return f"{database}_"


def target_table_name(prefix: str, table: TableRef) -> str:
    """Postgres table name for a source table: `<prefix><table>`, lower-cased so dbt can use it unquoted."""
    if prefix and not re.fullmatch(r"[A-Za-z0-9_$]*", prefix):
        raise UserError(f"invalid table prefix {prefix!r}: use letters, digits, _ or $")
    name = f"{prefix}{table.name}".lower()
    if len(name) > POSTGRES_MAX_IDENTIFIER:
        raise UserError(f"target table name {name!r} is longer than Postgres' {POSTGRES_MAX_IDENTIFIER} characters")
    return name
