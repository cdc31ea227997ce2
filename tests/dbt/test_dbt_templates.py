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

from data_manager.dbt.layout import dbt_paths_for_location
from data_manager.dbt.prepare import prepare_manifest
from dbt_support import REPO_ROOT

TEMPLATES_DIR = REPO_ROOT / "app" / "data_manager" / "control" / "templates"
TEMPLATES = ("airbyte", "sql", "dbt")

LOAD = """
import importlib, json, sys
from dagster._core.workspace.autodiscovery import loadable_targets_from_loaded_module
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
    """Write the template into `home` with `{{name}}`/`{{port}}` replaced in paths and contents."""
    root = TEMPLATES_DIR / template
    written = []
    for source in sorted(root.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        relative = str(source.relative_to(root)).replace("{{name}}", name).replace("{{port}}", str(port))
        target = home / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text().replace("{{name}}", name).replace("{{port}}", str(port)))
        written.append(target)
    return written


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    home = tmp_path_factory.mktemp("templates_home")
    shutil.copytree(REPO_ROOT / "dbt_models", home / "dbt_models", ignore=shutil.ignore_patterns("target", "logs"))
    shutil.copytree(REPO_ROOT / "external-connectors", home / "external-connectors")
    shutil.copyfile(REPO_ROOT / "code-locations.json", home / "code-locations.json")
    (home / "app" / "dagster_code").mkdir(parents=True)
    (home / "app" / "dagster_code" / "__init__.py").write_text("")
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
    return home, {template: home / "app" / "dagster_code" / name for template, name in names.items()}


def location_env(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATA_PLATFORM_HOME": str(home),
        "PYTHONPATH": str(home / "app"),
        "EXTERNAL_CONNECTORS_DIR": str(home / "external-connectors"),
    }


def test_templates_create_the_documented_files(generated) -> None:
    home, packages = generated
    for template, package in packages.items():
        name = package.name
        assert (package / "__init__.py").is_file() and (package / "tests" / f"test_{name}_location.py").is_file()
        assert all(path.is_dir() for path in dbt_paths_for_location(home / "dbt_models", name)), template
        todo = [p for p in package.rglob("*") if p.is_file() and "TODO" in p.read_text()]
        assert todo, f"{template}: stubs must be marked TODO"
    assert (home / "external-connectors" / "tpl_airbyte_loc.yaml").is_file()
    assert (packages["sql"] / "defs" / "tpl_sql_loc_sync" / "defs.yaml").is_file()


def test_generated_locations_and_samples_load_together(generated) -> None:
    home, packages = generated
    names = [package.name for package in packages.values()] + ["airbyte_sync", "sql_sync"]
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
    home, packages = generated
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(home),
         *(str(package / "tests") for package in packages.values())],
        env=location_env(home), capture_output=True, text=True, timeout=600, cwd=home,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "9 passed" in done.stdout
