"""This location loads and its pipeline job builds every dbt model of the location."""

import importlib

import dagster as dg
import pytest

from data_manager.locations.model import Location

LOCATION = Location.for_path(__file__)


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return importlib.import_module(LOCATION.module).defs


def test_location_loads_with_its_pipeline(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    models = {key for key in graph.get_all_asset_keys() if graph.get(key).is_materializable}
    assert models, f"no dbt models: add them under {', '.join(map(str, LOCATION.dbt_dirs))}"
    assert defs.resolve_job_def(LOCATION.job_name).asset_layer.selected_asset_keys == models


def test_sources_point_at_synced_tables(defs: dg.Definitions) -> None:
    """Upstream keys are [cache schema, table]: the sync assets of the locations that fill them."""
    graph = defs.resolve_asset_graph()
    upstream = {key for key in graph.get_all_asset_keys() if not graph.get(key).is_materializable}
    assert upstream and all(len(key.path) == 2 for key in upstream)


def test_code_server_finds_exactly_one_definitions() -> None:
    from data_manager.dagster_private_api import loadable_targets_from_loaded_module

    module = importlib.import_module(LOCATION.module)
    assert [target.attribute for target in loadable_targets_from_loaded_module(module)] == ["defs"]
