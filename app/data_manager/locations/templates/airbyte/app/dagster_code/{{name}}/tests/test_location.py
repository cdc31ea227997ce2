"""This location loads, its lineage is connected, and its pipeline job covers every asset."""

import importlib

import dagster as dg
import pytest

from data_manager.locations.model import Location

LOCATION = Location.for_path(__file__)


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return importlib.import_module(LOCATION.module).defs


def test_location_loads_with_its_pipeline(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def(LOCATION.job_name)
    assert job.asset_layer.selected_asset_keys == set(defs.resolve_asset_graph().get_all_asset_keys())


def test_every_asset_is_materializable_in_this_location(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    assert graph.get_all_asset_keys()
    for key in graph.get_all_asset_keys():
        assert graph.get(key).is_materializable, f"{key.to_user_string()} has no producer in this location"


def test_code_server_finds_exactly_one_definitions() -> None:
    from data_manager.dagster_private_api import loadable_targets_from_loaded_module

    module = importlib.import_module(LOCATION.module)
    assert [target.attribute for target in loadable_targets_from_loaded_module(module)] == ["defs"]
