"""Table naming contract shared with dbt sources and Dagster asset keys. Keep it pure and stable."""

from __future__ import annotations

import re

_NON_ALNUM = re.compile(r"[^a-z0-9]")


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
    return normalized[:63]
