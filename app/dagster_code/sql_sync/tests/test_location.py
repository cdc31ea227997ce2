"""This location: MariaDB tables -> cache -> staging -> reporting, plus the disabled MSSQL example."""

import importlib
from pathlib import Path

import dagster as dg
import pytest
import yaml

from data_manager.components import SqlTableSyncComponent
from data_manager.locations.model import Location
from dbt_support import ensure_manifest

TABLES = ["customers", "products", "orders", "order_items"]
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "mssql_sync" / "defs.yaml"

LOCATION = Location.for_path(__file__)


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    ensure_manifest()
    return importlib.import_module(LOCATION.module).defs


def test_lineage_from_every_table_to_reporting(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert {f"pyairbyte_cache/shop_{table}" for table in TABLES} <= keys
    for table in TABLES:
        staging = graph.get(dg.AssetKey(["staging", f"staging_shop_{table}"]))
        assert staging.parent_keys == {dg.AssetKey(["pyairbyte_cache", f"shop_{table}"])}
    reporting = graph.get(dg.AssetKey(["reporting", "shop_orders_reporting"]))
    assert {"staging/staging_shop_orders", "staging/staging_shop_customers"} <= {
        k.to_user_string() for k in reporting.parent_keys
    }
    assert all(graph.get(key).is_materializable for key in graph.get_all_asset_keys())


def test_job_and_relationship_checks(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def(LOCATION.job_name)
    assert len(job.asset_layer.selected_asset_keys) == len(defs.resolve_asset_graph().get_all_asset_keys())
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "relationships_staging_shop_orders_customer_id__customer_id__ref_staging_shop_customers_" in checks


def test_mssql_example_is_disabled_but_valid() -> None:
    """Not under defs/ (so not loaded), yet a valid component a user can enable by moving it."""
    document = yaml.safe_load(EXAMPLE.read_text())
    assert document["type"] == "data_manager.components.SqlTableSyncComponent"
    component = SqlTableSyncComponent(**document["attributes"])
    assert component.source == "mssql" and component.url_env == "MSSQL_URL"
    built = dg.build_defs_for_component(component)
    assert {key.to_user_string() for key in built.resolve_asset_graph().get_all_asset_keys()} == {
        "pyairbyte_cache/mssql_customers",
        "pyairbyte_cache/mssql_invoices",
    }


def test_code_server_finds_exactly_one_definitions(defs: dg.Definitions) -> None:
    """`dagster code-server start -m <module>` refuses a module with two Definitions."""
    from data_manager.dagster_private_api import loadable_targets_from_loaded_module

    module = importlib.import_module(LOCATION.module)
    assert [target.attribute for target in loadable_targets_from_loaded_module(module)] == ["defs"]
