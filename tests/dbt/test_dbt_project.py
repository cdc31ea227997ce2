"""The dbt project: layout, build-time manifest preparation, and locations that never parse dbt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from data_manager.dbt.layout import dbt_paths_for_location, dbt_select_for_location
from data_manager.dbt.prepare import prepare_manifest
from data_manager.errors import UserError
from dbt_support import DBT_DIR, REPO_ROOT

SAMPLES = ("airbyte_sync", "sample_product_sync", "sql_sync")


def copy_project(tmp_path: Path) -> Path:
    target = tmp_path / "dbt_models"
    shutil.copytree(DBT_DIR, target, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return target


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The manifest `data-manager dbt prepare` (the build step) writes for a copy of the project."""
    project = copy_project(tmp_path_factory.mktemp("dbt_prepare"))
    done = subprocess.run(
        [sys.executable, "-m", "data_manager.control.dbt_cli", "prepare", "--project-dir", str(project)],
        capture_output=True, text=True, timeout=300, cwd=REPO_ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "dbt manifest ready" in done.stderr
    return json.loads((project / "target" / "manifest.json").read_text())


def test_dbt_paths_for_location_are_the_two_schema_folders() -> None:
    assert dbt_paths_for_location(Path("/x/dbt_models"), "shop") == [
        Path("/x/dbt_models/models/staging/shop"),
        Path("/x/dbt_models/models/reporting/shop"),
    ]
    for name in SAMPLES:
        assert all(path.is_dir() for path in dbt_paths_for_location(DBT_DIR, name)), name
    assert dbt_select_for_location("shop") == "path:models/staging/shop path:models/reporting/shop"


def test_models_land_in_exact_staging_and_reporting_schemas(prepared: dict) -> None:
    models = {n["name"]: n for n in prepared["nodes"].values() if n["resource_type"] == "model"}
    assert {"staging_faker_users", "faker_users_reporting", "staging_products", "products_reporting"} <= set(models)
    for name, node in models.items():
        folder = node["fqn"][1]
        assert folder in ("staging", "reporting"), name
        assert node["schema"] == folder, f"{name} would be built in {node['schema']!r}, not {folder!r}"
        assert node["fqn"][2] in SAMPLES, f"{name} is not in a location folder"


def test_every_source_points_at_a_sync_asset(prepared: dict) -> None:
    assert prepared["sources"]
    for source in prepared["sources"].values():
        key = source["meta"].get("dagster", {}).get("asset_key")
        assert key == [source["schema"], source["name"]], f"{source['unique_id']} has asset_key {key}"
        assert source["schema"] == os.environ.get("CACHE_SCHEMA", "pyairbyte_cache")


def test_keys_are_tested_for_not_null_unique_and_relationships(prepared: dict) -> None:
    tests = [n for n in prepared["nodes"].values() if n["resource_type"] == "test"]
    kinds = {(t["test_metadata"]["name"], t["attached_node"].rsplit(".", 1)[-1], t["column_name"]) for t in tests}
    for model, key in [
        ("staging_faker_users", "user_id"),
        ("staging_products", "product_id"),
        ("staging_shop_orders", "order_id"),
        ("shop_orders_reporting", "order_id"),
    ]:
        assert ("not_null", model, key) in kinds
        assert ("unique", model, key) in kinds
    relationships = {(model, column) for kind, model, column in kinds if kind == "relationships"}
    assert ("staging_shop_orders", "customer_id") in relationships
    assert ("staging_faker_purchases", "user_id") in relationships


def test_profile_reads_everything_from_the_environment() -> None:
    output = yaml.safe_load((DBT_DIR / "profiles.yml").read_text())["data_platform"]["outputs"]["dev"]
    for field, variable in [
        ("host", "POSTGRES_HOST"),
        ("port", "POSTGRES_PORT"),
        ("user", "POSTGRES_USER"),
        ("password", "POSTGRES_PASSWORD"),
        ("dbname", "POSTGRES_DB"),
    ]:
        assert f"env_var('{variable}'" in str(output[field]), field
    assert output["password"] == "{{ env_var('POSTGRES_PASSWORD', '') }}"


def test_prepare_reports_a_broken_model_on_one_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    (project / "models" / "staging" / "sql_sync" / "broken.sql").write_text("select * from {{ ref('nope') }}\n")
    with pytest.raises(UserError) as error:
        prepare_manifest(project)
    message = str(error.value)
    assert "\n" not in message
    assert "dbt parse failed" in message and "nope" in message
    assert not (project / "target" / "manifest.json").exists()


def test_loading_a_location_without_manifest_fails_and_never_parses(tmp_path: Path) -> None:
    """No manifest -> a one-line error naming `data-manager dbt prepare`; a parse would have succeeded."""
    home = tmp_path / "home"
    copy_project(home)
    (home / "code-locations.json").write_text('{"code_locations": [], "config": {}}')
    env = {**os.environ, "DATA_PLATFORM_HOME": str(home)}
    probe = "import dagster_code.sql_sync"
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert "dbt manifest not found" in last and "data-manager dbt prepare" in last, done.stderr[-2000:]
    assert not (home / "dbt_models" / "target").exists(), "loading the location ran dbt"


def test_dbt_cli_prepare_rejects_a_missing_project(tmp_path: Path) -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "data_manager.control.dbt_cli", "prepare", "--project-dir", str(tmp_path / "missing")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error: no dbt project at") and "Traceback" not in bad.stderr
