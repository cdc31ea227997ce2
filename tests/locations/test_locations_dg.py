"""Every sample location and every template's output is a working dg project.

In a copy of the repository with one location added per template, each location gets, through
Dagster's own `dg` CLI run in its folder: a platform component, the Postgres connection and a
`dagster.TemplatedSqlComponent` scaffolded (`dg scaffold defs`), then `dg check defs` (YAML, then
definitions) and `dg list defs --json`, which must show the new assets in the location's group.
Locations run in parallel. dg runs in warm forks, as the platform API runs it (a fresh interpreter per command
costs seconds of imports, 35 times here); one location's commands run as the `dg` a user types in a shell.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from data_manager.locations.model import Location
from data_manager.paths import ProjectPaths
from locations_support import copy_of_repository, location_env, run_dg
from platform_support import run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(180)]

SAMPLES = ("airbyte_sync", "sample_product_sync", "sql_sync")
TEMPLATES = ("empty", "airbyte", "sql", "dbt")
IN_A_SHELL = "dg_empty"  # this location's dg commands are `dg` subprocesses


def set_attributes(location: Location, instance: str, attributes: dict) -> None:
    """Fill in the `attributes: {}` that `dg scaffold defs` wrote (as the designer does)."""
    path = location.defs_dir / instance / "defs.yaml"
    document = yaml.safe_load(path.read_text())
    document["attributes"] = attributes
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def exercise(location: Location) -> dict[str, object]:
    """Scaffold three components, then check and list; the outputs keyed by command."""
    results: dict[str, object] = {}
    warm = location.name != IN_A_SHELL
    for type_name, instance in (
        ("data_manager.components.SqlTableSyncComponent", "dg_sync"),
        ("data_manager.components.PostgresConnectionComponent", "warehouse"),
        ("dagster.TemplatedSqlComponent", "dg_totals"),
    ):
        results[f"scaffold {type_name}"] = run_dg(location, "scaffold", "defs", type_name, instance, warm=warm)
    set_attributes(location, "dg_sync", {"source": "mysql", "tables": ["customers"], "table_prefix": "dg_"})
    set_attributes(
        location,
        "dg_totals",
        {
            "connection": "{{ context.load_component('warehouse') }}",
            "sql_template": "create table if not exists reporting.dg_totals as select 1 as n",
            "assets": [{"key": "reporting/dg_totals"}],
        },
    )
    for command in (("check", "defs"), ("list", "defs", "--json")):  # in a project, `check defs` checks YAML first
        results[" ".join(command)] = run_dg(location, *command, warm=warm)
    return results


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Location, dict[str, object]]]:
    home = copy_of_repository(tmp_path_factory.mktemp("dg_home"))
    env = {key: value for key, value in location_env(home).items() if key != "PYTHONPATH"}
    for template in TEMPLATES:
        added = run_cli(home, "locations", "add", f"dg_{template}", "--template", template, env=env)
        assert added.returncode == 0, added.stderr
    locations = [Location.named(name, ProjectPaths(home)) for name in (*SAMPLES, *(f"dg_{t}" for t in TEMPLATES))]
    with ThreadPoolExecutor(max_workers=3) as pool:
        return {
            location.name: (location, result)
            for location, result in zip(locations, pool.map(exercise, locations), strict=True)
        }


@pytest.mark.parametrize("name", [*SAMPLES, *(f"dg_{t}" for t in TEMPLATES)])
def test_dg_scaffolds_checks_and_lists_the_location(outcomes, name: str) -> None:
    location, results = outcomes[name]
    for command, done in results.items():
        assert done.returncode == 0, (
            f"`dg {command}` in {location.project_dir}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
        )
    for instance in ("dg_sync", "warehouse", "dg_totals"):
        assert (location.defs_dir / instance / "defs.yaml").is_file()
    assert "All component YAML validated successfully" in results["check defs"].stdout
    assert "All definitions loaded successfully" in results["check defs"].stdout
    assets = {asset["asset_key"]: asset for asset in json.loads(results["list defs --json"].stdout)["assets"]}
    for key in ("pyairbyte_cache/dg_customers", "reporting/dg_totals"):
        assert key in assets, f"{key} missing from `dg list defs --json`: {sorted(assets)}"
        assert assets[key]["group_name"] == location.group_name  # no group_name in YAML: the location's group
