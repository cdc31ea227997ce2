"""This location loads from the prepared manifest, with connected lineage and its job."""

import importlib

import dagster as dg
import pytest

from data_manager.locations.model import Location
from dbt_support import ensure_manifest

SYNC = ["pyairbyte_cache/faker_users", "pyairbyte_cache/faker_products", "pyairbyte_cache/faker_purchases"]
DBT = ["staging/staging_faker_users", "staging/staging_faker_purchases", "reporting/faker_users_reporting"]

LOCATION = Location.for_path(__file__)


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    ensure_manifest()
    return importlib.import_module(LOCATION.module).defs


def test_assets_and_lineage(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == set(SYNC + DBT)
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.is_materializable, f"{key} is an orphan source asset"
        assert node.group_name == LOCATION.group_name
    users = graph.get(dg.AssetKey(["staging", "staging_faker_users"]))
    assert users.parent_keys == {dg.AssetKey(["pyairbyte_cache", "faker_users"])}
    reporting = graph.get(dg.AssetKey(["reporting", "faker_users_reporting"]))
    assert {k.to_user_string() for k in reporting.parent_keys} == set(DBT[:2])


def test_job_schedule_and_checks(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def(LOCATION.job_name)
    assert {k.to_user_string() for k in job.asset_layer.selected_asset_keys} == set(SYNC + DBT)
    schedule = defs.resolve_schedule_def(f"{LOCATION.name}_daily")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.job_name == LOCATION.job_name
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "unique_staging_faker_users_user_id" in checks
    assert any(name.startswith("relationships_staging_faker_purchases_user_id") for name in checks)


def test_sync_assets_declare_schema_and_table(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key in SYNC:
        metadata = graph.get(dg.AssetKey.from_user_string(key)).metadata
        assert (metadata["schema"], metadata["table"]) == tuple(key.split("/"))


def test_code_server_finds_exactly_one_definitions(defs: dg.Definitions) -> None:
    """`dagster code-server start -m <module>` refuses a module with two Definitions."""
    from data_manager.dagster_private_api import loadable_targets_from_loaded_module

    module = importlib.import_module(LOCATION.module)
    assert [target.attribute for target in loadable_targets_from_loaded_module(module)] == ["defs"]
