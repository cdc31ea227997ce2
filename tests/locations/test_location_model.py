"""One Location object derives everything about a code location from its name and registry entry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from data_manager.errors import UserError
from data_manager.locations.model import Location, registered_locations
from data_manager.paths import ProjectPaths
from locations_support import REPO_ROOT, copy_of_repository, location_env
from platform_support import run_cli


def test_everything_is_derived_from_the_name() -> None:
    location = Location.named("sql_sync", ProjectPaths(REPO_ROOT))
    assert location.module == "dagster_code.sql_sync" and location.port == 4268
    assert location.project_dir == REPO_ROOT / "app/dagster_code/sql_sync"
    assert location.package_dir == REPO_ROOT / "app/dagster_code/sql_sync/src/dagster_code/sql_sync"
    assert location.defs_dir == location.package_dir / "defs"
    assert location.dg_project_file.is_file()
    assert location.job_name == "sql_sync_pipeline" and location.group_name == "sql_sync"
    assert location.dbt_dirs == [
        REPO_ROOT / "dbt_models/models/staging/sql_sync",
        REPO_ROOT / "dbt_models/models/reporting/sql_sync",
    ]
    assert location.dbt_select == "path:models/staging/sql_sync path:models/reporting/sql_sync"
    assert location.component_files() == [location.defs_dir / "shop_sync" / "defs.yaml"]


def test_connector_files_are_read_from_the_components() -> None:
    paths = ProjectPaths(REPO_ROOT)
    assert Location.named("airbyte_sync", paths).connector_files() == [paths.connectors_dir / "source-faker.yaml"]
    assert Location.named("sample_product_sync", paths).connector_files() == [
        paths.connectors_dir / "manifests/sample-connector.yaml",
        paths.connectors_dir / "sample-connector.yaml",
    ]


def test_a_location_is_found_from_its_module_or_any_path_inside_it() -> None:
    paths = ProjectPaths(REPO_ROOT)
    assert Location.for_module("dagster_code.airbyte_sync", paths).name == "airbyte_sync"
    inside = Location.named("airbyte_sync", paths).defs_dir / "faker_sync" / "defs.yaml"
    assert Location.for_path(inside).name == "airbyte_sync"
    with pytest.raises(UserError, match="not a location package"):
        Location.for_module("data_manager.cli", paths)
    with pytest.raises(UserError, match="not inside a code location"):
        Location.for_path(REPO_ROOT / "README.md")
    with pytest.raises(UserError, match=r"is not in code-locations\.json"):
        _ = Location.named("not_registered", paths).port


def test_every_registered_location_exists_as_a_dg_project() -> None:
    locations = registered_locations(ProjectPaths(REPO_ROOT))
    assert {location.name for location in locations} >= {"airbyte_sync", "sample_product_sync", "sql_sync"}
    for location in locations:
        assert location.dg_project_file.is_file() and (location.package_dir / "__init__.py").is_file(), location.name


GROUPS_PROBE = """
import importlib, json, sys
from data_manager.locations.model import Location
location = Location.named(sys.argv[1])
defs = importlib.import_module(location.module).defs
graph = defs.resolve_asset_graph()
job = defs.resolve_job_def(location.job_name)
print(json.dumps({
    "groups": {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()},
    "job": sorted(key.to_user_string() for key in job.asset_layer.selected_asset_keys),
}))
"""


def test_a_defs_yaml_without_group_name_lands_in_the_pipeline(tmp_path: Path) -> None:
    home = copy_of_repository(tmp_path)
    assert run_cli(home, "locations", "add", "orders").returncode == 0
    location = Location.named("orders", ProjectPaths(home))
    for instance, extra in (("no_group", ""), ("own_group", "  group_name: elsewhere\n")):
        (location.defs_dir / instance).mkdir()
        (location.defs_dir / instance / "defs.yaml").write_text(
            "type: data_manager.components.SqlTableSyncComponent\nattributes:\n"
            f"  source: mysql\n  tables: [{instance}]\n  table_prefix: orders_\n{extra}"
        )
    done = subprocess.run(
        [sys.executable, "-c", GROUPS_PROBE, "orders"],
        env=location_env(home),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["groups"]["pyairbyte_cache/orders_no_group"] == "orders"
    assert report["groups"]["pyairbyte_cache/orders_own_group"] == "elsewhere"  # the YAML's group wins
    assert "pyairbyte_cache/orders_no_group" in report["job"]
    assert "orders/example_asset" in report["job"]
    assert "pyairbyte_cache/orders_own_group" not in report["job"]


LIBRARIES_PROBE = """
import importlib, json, sys
module = importlib.import_module(sys.argv[1])
print(json.dumps({"dbt": "dagster_dbt" in sys.modules, "assets": len(list(module.defs.assets or []))}))
"""


def test_an_empty_defs_folder_imports_no_component_library(tmp_path: Path) -> None:
    """Each run worker loads its location: an empty defs/ must not cost dagster-dbt's import (about 1 s)."""
    home = copy_of_repository(tmp_path)

    def probe() -> dict:
        done = subprocess.run(
            [sys.executable, "-c", LIBRARIES_PROBE, "dagster_code.universal_pipelines"],
            env=location_env(home), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    assert probe() == {"dbt": False, "assets": 0}
    defs_dir = Location.named("universal_pipelines", ProjectPaths(home)).defs_dir
    (defs_dir / "orders_sync").mkdir()
    (defs_dir / "orders_sync" / "defs.yaml").write_text(
        "type: data_manager.components.SqlTableSyncComponent\nattributes:\n  source: mysql\n  tables: [orders]\n"
    )
    assert probe() == {"dbt": True, "assets": 1}  # a component in defs/: the folder loads as before
