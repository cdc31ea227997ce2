"""Bring your own dbt project: a location holds a third-party dbt project through DbtProjectComponent.

The project (seeds, a macro, a model, tests) is written here into a new location. `data-manager
dbt prepare` parses it at build time; a code-server-like import then loads it without parsing, its
seeds and models are assets in the location's group and pipeline job, its tests are checks, and
the job builds it in Postgres with the platform's connection from the environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from conftest import create_pg_database, drop_pg_database, unique_name
from data_manager.locations.dbt_projects import DEV_MODE_ENV
from data_manager.locations.model import Location
from data_manager.paths import ProjectPaths
from data_manager.settings import PostgresSettings
from locations_support import copy_of_repository, location_env
from platform_support import run_cli

pytestmark = pytest.mark.e2e

PROJECT = {
    "dbt_project.yml": "name: shop\nversion: '1.0.0'\nconfig-version: 2\nprofile: shop\n",
    # The platform's connection, from the same variables as dbt_models/profiles.yml.
    "profiles.yml": """shop:
  target: platform
  outputs:
    platform:
      type: postgres
      host: "{{ env_var('POSTGRES_HOST', '127.0.0.1') }}"
      port: "{{ env_var('POSTGRES_PORT', '5432') | as_number }}"
      user: "{{ env_var('POSTGRES_USER', 'postgres') }}"
      password: "{{ env_var('POSTGRES_PASSWORD', '') }}"
      dbname: "{{ env_var('POSTGRES_DB', 'dataplatform') }}"
      schema: shop
      threads: 2
""",
    "seeds/customers.csv": "id,name,country\n1,Ada,UK\n2,Linus,FI\n3,Grace,US\n4,Alan,UK\n",
    "macros/shout.sql": "{% macro shout(column) %}upper({{ column }}){% endmacro %}\n",
    "models/customers_by_country.sql": (
        "select country, count(*) as customers, min({{ shout('name') }}) as first_name\n"
        "from {{ ref('customers') }}\ngroup by country\n"
    ),
    "models/schema.yml": (
        "version: 2\nmodels:\n  - name: customers_by_country\n    columns:\n"
        "      - name: country\n        data_tests: [not_null, unique]\n"
    ),
}
DEFS_YAML = """type: dagster_dbt.DbtProjectComponent
attributes:
  project: "{{ context.project_root }}/dbt/shop"
"""
PROBE = """
import importlib, json, sys
import dagster as dg
from data_manager.locations.model import Location
location = Location.named(sys.argv[1])
defs = importlib.import_module(location.module).defs
graph = defs.resolve_asset_graph()
loaded_without_parsing = not (location.project_dir / "dbt" / "shop" / "target").exists()
job = defs.resolve_job_def(location.job_name)
result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
print(json.dumps({
    "assets": {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()},
    "checks": sorted(key.name for key in graph.asset_check_keys),
    "job_assets": sorted(key.to_user_string() for key in job.asset_layer.selected_asset_keys),
    "loaded_without_parsing": loaded_without_parsing,
    "success": result.success,
}))
"""


def test_own_dbt_project_is_prepared_at_build_time_and_builds(
    tmp_path: Path, postgres_server: PostgresSettings
) -> None:
    home = copy_of_repository(tmp_path)
    pg_env = {
        "POSTGRES_HOST": postgres_server.host,
        "POSTGRES_PORT": str(postgres_server.port),
        "POSTGRES_USER": postgres_server.user,
        "POSTGRES_PASSWORD": postgres_server.password,
    }
    assert run_cli(home, "locations", "add", "shop_own_dbt").returncode == 0
    location = Location.named("shop_own_dbt", ProjectPaths(home))
    for relative, content in PROJECT.items():
        (location.project_dir / "dbt" / "shop" / relative).parent.mkdir(parents=True, exist_ok=True)
        (location.project_dir / "dbt" / "shop" / relative).write_text(content)
    (location.defs_dir / "shop_dbt").mkdir()
    (location.defs_dir / "shop_dbt" / "defs.yaml").write_text(DEFS_YAML)

    prepared = run_cli(home, "dbt", "prepare", env=pg_env)
    assert prepared.returncode == 0, prepared.stderr
    assert "dbt projects of shop_own_dbt ready (1 DbtProjectComponent)" in prepared.stderr
    assert (location.defs_dir / ".local_defs_state").is_dir()

    database = unique_name("test_own_dbt")
    create_pg_database(postgres_server, database)
    try:
        env = {**location_env(home), **pg_env, "POSTGRES_DB": database}
        env.pop(DEV_MODE_ENV, None)  # as a code server: never prepares
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        shutil.rmtree(location.project_dir / "dbt" / "shop" / "target", ignore_errors=True)
        done = subprocess.run(
            [sys.executable, "-c", PROBE, location.name], env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads(done.stdout.strip().splitlines()[-1])
        with psycopg.connect(**postgres_server.connect_kwargs(database)) as connection:
            rows = connection.execute(
                "select country, customers, first_name from shop.customers_by_country order by country"
            ).fetchall()
    finally:
        drop_pg_database(postgres_server, database)

    assert report["loaded_without_parsing"], "the location parsed its dbt project at load"
    assert report["assets"]["customers"] == location.group_name  # the seed
    assert report["assets"]["customers_by_country"] == location.group_name  # the model
    assert {"customers", "customers_by_country"} <= set(report["job_assets"])
    assert {"not_null_customers_by_country_country", "unique_customers_by_country_country"} <= set(report["checks"])
    assert report["success"]
    assert rows == [("FI", 1, "LINUS"), ("UK", 2, "ADA"), ("US", 1, "GRACE")]
