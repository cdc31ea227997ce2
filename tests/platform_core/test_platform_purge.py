"""`locations remove --purge`: the location's connector YAMLs, dbt models and cache tables go too."""

from __future__ import annotations

from pathlib import Path

import psycopg

from data_manager.settings import PostgresSettings
from platform_support import make_home, run_cli


def pg_env(settings: PostgresSettings) -> dict[str, str]:
    return {
        "POSTGRES_HOST": settings.host,
        "POSTGRES_PORT": str(settings.port),
        "POSTGRES_USER": settings.user,
        "POSTGRES_PASSWORD": settings.password,
        "POSTGRES_DB": settings.database,
        "CACHE_SCHEMA": "pyairbyte_cache",
    }


def cache_tables(settings: PostgresSettings) -> set[str]:
    with psycopg.connect(**settings.connect_kwargs()) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'pyairbyte_cache'").fetchall()
    return {row[0] for row in rows}


def test_purge_removes_connectors_dbt_models_and_only_its_cache_tables(
    tmp_path: Path, pg_database: PostgresSettings
) -> None:
    home = make_home(tmp_path / "home")
    env = pg_env(pg_database)
    for name in ("orders", "crm"):
        result = run_cli(home, "locations", "add", name, "--template", "airbyte", env=env)
        assert result.returncode == 0, result.stderr
    assert (home / "external-connectors/orders.yaml").is_file()
    assert (home / "dbt_models/models/staging/orders").is_dir()
    with psycopg.connect(**pg_database.connect_kwargs()) as conn:
        conn.execute("CREATE SCHEMA pyairbyte_cache")
        for table in ("orders_users", "orders_events", "crm_users", "ordersx_users"):
            conn.execute(f"CREATE TABLE pyairbyte_cache.{table} (id int)")

    result = run_cli(home, "locations", "remove", "orders", "--purge", "--yes", env=env)
    assert result.returncode == 0, result.stderr

    assert not (home / "app/dagster_code/orders").exists()
    assert not (home / "external-connectors/orders.yaml").exists()
    assert not (home / "dbt_models/models/staging/orders").exists()
    assert not (home / "dbt_models/models/reporting/orders").exists()
    assert cache_tables(pg_database) == {"crm_users", "ordersx_users"}
    assert (home / "external-connectors/crm.yaml").is_file()
    assert (home / "dbt_models/models/staging/crm").is_dir()
    assert "table pyairbyte_cache.orders_users" in result.stderr
