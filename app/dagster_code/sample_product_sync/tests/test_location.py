"""This location: declarative connector asset -> staging_products -> products_reporting."""

import importlib
import itertools

import dagster as dg
import pytest

from data_manager.ingestion.airbyte.connectors import get_connector_by_name
from data_manager.locations.model import Location
from dbt_support import REPO_ROOT, ensure_manifest

KEYS = ["pyairbyte_cache/sample_connector_products", "staging/staging_products", "reporting/products_reporting"]

LOCATION = Location.for_path(__file__)


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    ensure_manifest()
    return importlib.import_module(LOCATION.module).defs


def test_lineage_is_one_connected_chain(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    assert {key.to_user_string() for key in graph.get_all_asset_keys()} == set(KEYS)
    for parent, child in itertools.pairwise(KEYS):
        assert graph.get(dg.AssetKey.from_user_string(child)).parent_keys == {dg.AssetKey.from_user_string(parent)}
    assert all(graph.get(key).is_materializable for key in graph.get_all_asset_keys())


def test_job_covers_sync_and_transform(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def(LOCATION.job_name)
    assert {k.to_user_string() for k in job.asset_layer.selected_asset_keys} == set(KEYS)
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert {"unique_staging_products_product_id", "not_null_staging_products_product_id"} <= checks


def test_connector_is_declarative_and_reads_the_api_url_from_the_environment() -> None:
    connector = get_connector_by_name("sample-connector")
    assert connector.manifest_path == REPO_ROOT / "external-connectors" / "manifests" / "sample-connector.yaml"
    assert connector.spec.env_references() == ["SAMPLE_API_URL"]


def test_code_server_finds_exactly_one_definitions(defs: dg.Definitions) -> None:
    """`dagster code-server start -m <module>` refuses a module with two Definitions."""
    from data_manager.dagster_private_api import loadable_targets_from_loaded_module

    module = importlib.import_module(LOCATION.module)
    assert [target.attribute for target in loadable_targets_from_loaded_module(module)] == ["defs"]
