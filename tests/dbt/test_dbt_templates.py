"""The airbyte, sql and dbt location templates generate locations that load as generated.

Each template is rendered (placeholders replaced in paths and contents, as the scaffolder does)
into a copy of the repository's relevant folders, next to the sample locations; the manifest is
prepared, then the new locations and a sample are loaded and the generated tests run, in fresh
interpreters pointed at that copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from data_manager.dbt.prepare import prepare_manifest
from data_manager.locations.model import Location
from data_manager.locations.scaffold import render_template
from data_manager.paths import ProjectPaths
from dbt_support import REPO_ROOT

TEMPLATES = ("airbyte", "sql", "dbt")

LOAD = """
import importlib, json, sys
from data_manager.dagster_private_api import loadable_targets_from_loaded_module
out = {}
for name in sys.argv[1:]:
    module = importlib.import_module(f"dagster_code.{name}")
    targets = [t.attribute for t in loadable_targets_from_loaded_module(module)]
    assert targets == ["defs"], f"{name}: a code server would find {targets}"
    defs = module.defs
    graph = defs.resolve_asset_graph()
    out[name] = {
        "module": importlib.import_module(f"dagster_code.{name}").__file__,
        "assets": sorted(k.to_user_string() for k in graph.get_all_asset_keys() if graph.get(k).is_materializable),
        "upstream": sorted(k.to_user_string() for k in graph.get_all_asset_keys() if not graph.get(k).is_materializable),
        "checks": len(graph.asset_check_keys),
        "job": defs.resolve_job_def(f"{name}_pipeline").name,
    }
print(json.dumps(out))
"""


def render(template: str, name: str, port: int, home: Path) -> list[Path]:
    """Write the template into `home`, as `locations add` renders it (without registering it)."""
    written = []
    for relative, content in render_template(template, name, port).items():
        target = home / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        written.append(target)
    return written


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Location]]:
    home = tmp_path_factory.mktemp("templates_home")
    shutil.copytree(REPO_ROOT / "dbt_models", home / "dbt_models", ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(REPO_ROOT / "external-connectors", home / "external-connectors")
    shutil.copyfile(REPO_ROOT / "code-locations.json", home / "code-locations.json")
    (home / "app" / "dagster_code").mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "app" / "dagster_code" / "__init__.py", home / "app" / "dagster_code" / "__init__.py")
    for sample in ("airbyte_sync", "sql_sync"):
        shutil.copytree(
            REPO_ROOT / "app" / "dagster_code" / sample,
            home / "app" / "dagster_code" / sample,
            ignore=shutil.ignore_patterns("__pycache__", "tests"),
        )
    names = {template: f"tpl_{template}_loc" for template in TEMPLATES}
    for port, (template, name) in enumerate(names.items(), start=4290):
        files = render(template, name, port, home)
        assert not [f for f in files if "{{name}}" in f.read_text() or "{{port}}" in f.read_text()]
    prepare_manifest(home / "dbt_models")
    return home, {template: Location.named(name, ProjectPaths(home)) for template, name in names.items()}


def location_env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATA_PLATFORM_HOME": str(home),
        "PYTHONPATH": str(home / "app"),
        "EXTERNAL_CONNECTORS_DIR": str(home / "external-connectors"),
    }


def test_templates_create_the_documented_files(generated) -> None:
    home, locations = generated
    for template, location in locations.items():
        assert (location.package_dir / "__init__.py").is_file() and (location.tests_dir / "test_location.py").is_file()
        assert location.dg_project_file.is_file(), template
        assert all(path.is_dir() for path in location.dbt_dirs), template
        todo = [p for p in location.project_dir.rglob("*") if p.is_file() and "TODO" in p.read_text()]
        assert todo, f"{template}: stubs must be marked TODO"
    assert (home / "external-connectors" / "tpl_airbyte_loc.yaml").is_file()
    assert (locations["sql"].defs_dir / "source_sync" / "defs.yaml").is_file()
    assert locations["airbyte"].connector_files() == [home / "external-connectors" / "tpl_airbyte_loc.yaml"]


def test_generated_locations_state_their_name_only_where_dg_requires_it(generated) -> None:
    """The package's Python and YAML never restate the location's name: it is derived from the package."""
    _, locations = generated
    for template, location in locations.items():
        for path in location.project_dir.rglob("*"):
            if path.is_file() and path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
                text = path.read_text()
                if path.name == "defs.yaml":  # connector and cache-table names are data identities
                    text = "\n".join(
                        line
                        for line in text.splitlines()
                        if not line.lstrip().startswith(("connector:", "table_prefix:"))
                    )
                assert location.name not in text, f"{template}: {path} restates the location's name"


def test_generated_locations_and_samples_load_together(generated) -> None:
    home, locations = generated
    names = [location.name for location in locations.values()] + ["airbyte_sync", "sql_sync"]
    done = subprocess.run(
        [sys.executable, "-c", LOAD, *names], env=location_env(home), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    for name in names:
        assert loaded[name]["module"].startswith(str(home)), "loaded the repository's package, not the copy"
    assert loaded["tpl_airbyte_loc"]["assets"] == [
        "pyairbyte_cache/tpl_airbyte_loc_users",
        "reporting/tpl_airbyte_loc_reporting",
        "staging/staging_tpl_airbyte_loc_users",
    ]
    assert loaded["tpl_airbyte_loc"]["upstream"] == []
    assert loaded["tpl_sql_loc"]["assets"] == [
        "pyairbyte_cache/tpl_sql_loc_customers",
        "reporting/tpl_sql_loc_reporting",
        "staging/staging_tpl_sql_loc_customers",
    ]
    assert loaded["tpl_dbt_loc"]["upstream"] == ["pyairbyte_cache/faker_users"]
    assert all(loaded[name]["checks"] >= 2 for name in names)


def test_generated_tests_pass(generated) -> None:
    home, locations = generated
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(home), "--import-mode=importlib",
         *(str(location.tests_dir) for location in locations.values())],
        env=location_env(home), capture_output=True, text=True, timeout=600, cwd=home,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "9 passed" in done.stdout
