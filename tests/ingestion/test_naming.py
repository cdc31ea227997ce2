"""The table-prefix contract that dbt sources and asset keys rely on."""

from __future__ import annotations

import pytest

from data_manager.ingestion.naming import table_name_for, table_prefix_for


@pytest.mark.parametrize(
    ("connector", "prefix"),
    [
        ("source-faker", "faker_"),
        ("sample-connector", "sample_connector_"),
        ("source-Next.ERP v2", "next_erp_v2_"),
        ("Source-faker", "source_faker_"),  # only the exact lower-case `source-` is stripped
        ("my_api", "my_api_"),
        ("source-source-x", "source_x_"),  # stripped once
    ],
)
def test_airbyte_table_prefix_contract(connector: str, prefix: str) -> None:
    assert table_prefix_for(connector) == prefix


def test_airbyte_two_connectors_get_distinct_prefixes() -> None:
    assert table_prefix_for("source-faker") != table_prefix_for("sample-connector")
    assert table_name_for("source-faker", "users") == "faker_users"


def test_airbyte_empty_prefix_is_rejected() -> None:
    with pytest.raises(ValueError, match="empty table prefix"):
        table_prefix_for("source-")
