"""Helpers for the dbt and sample-location tests: manifest, sample data, in-process runs."""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import dagster as dg
import psycopg
import pytest
from psycopg import sql

from data_manager.dbt.layout import manifest_path
from data_manager.settings import PostgresSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_DIR = REPO_ROOT / "dbt_models"
SEED_SCRIPT = REPO_ROOT / "samples" / "sample_shop" / "seed_mysql.py"


def ensure_manifest() -> Path:
    """The checkout's prepared dbt manifest; fails the test when it is missing or older than a dbt source
    file (tests write nothing into the checkout: `make test` prepares it first)."""
    path = manifest_path(DBT_DIR)
    sources = [DBT_DIR / "dbt_project.yml", *DBT_DIR.glob("models/**/*"), *DBT_DIR.glob("macros/**/*")]
    newest = max(p.stat().st_mtime for p in sources if p.is_file())
    if not path.is_file() or path.stat().st_mtime < newest:
        pytest.fail(f"{path.relative_to(REPO_ROOT)} is missing or stale: run `make dbt-prepare` (make test does)")
    return path


def seed_module() -> ModuleType:
    """samples/sample_shop/seed_mysql.py as a module (a script, not a package)."""
    spec = importlib.util.spec_from_file_location("seed_mysql_script", SEED_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def count_rows(pg: PostgresSettings, schema: str, table: str) -> int:
    with psycopg.connect(**pg.connect_kwargs()) as conn:
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        return conn.execute(query).fetchone()[0]


def table_digest(pg: PostgresSettings, schema: str, table: str, order_by: str) -> str:
    """A hash of a table's full content in a stable order: equal digests mean an unchanged table."""
    with psycopg.connect(**pg.connect_kwargs()) as conn:
        query = sql.SQL("SELECT t::text FROM {}.{} AS t ORDER BY {}").format(
            sql.Identifier(schema), sql.Identifier(table), sql.Identifier(order_by)
        )
        rows = [row[0] for row in conn.execute(query)]
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def run_job(defs: dg.Definitions, job: str, asset_selection: Iterable[dg.AssetKey] | None = None):
    """Execute a location's job in-process on an ephemeral instance, without raising on failure."""
    job_def = defs.resolve_job_def(job)
    return job_def.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        asset_selection=list(asset_selection) if asset_selection is not None else None,
    )


def check_results(result) -> dict[str, bool]:
    """check name -> passed, for every asset check evaluated in the run."""
    return {
        event.event_specific_data.check_name: event.event_specific_data.passed
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def materialized(result) -> dict[str, dict]:
    """asset key (user string) -> metadata values, for every materialization in the run."""
    out = {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        out[mat.asset_key.to_user_string()] = {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
    return out


def failure_messages(result) -> list[str]:
    messages = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE" and event.event_specific_data.error:
            messages.append(event.event_specific_data.error.to_string())
    return messages
