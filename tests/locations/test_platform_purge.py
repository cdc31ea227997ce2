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
    # exactly the declared streams' tables: `orders_events` is no stream of the location's component
    assert cache_tables(pg_database) == {"crm_users", "ordersx_users", "orders_events"}
    assert (home / "external-connectors/crm.yaml").is_file()
    assert (home / "dbt_models/models/staging/crm").is_dir()
    assert "table pyairbyte_cache.orders_users" in result.stderr


LOCATIONS = {"ab": "airbyte", "sq": "sql", "db": "dbt", "em": "empty", "keep": "airbyte"}
CACHES_FILE = "caches:\n  regional:\n    schema: regional_cache\n"


def relations(settings: PostgresSettings) -> set[str]:
    with psycopg.connect(**settings.connect_kwargs()) as conn:
        rows = conn.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'v') AND n.nspname IN"
            " ('pyairbyte_cache', 'regional_cache', 'sql_raw', 'staging', 'reporting')"
        ).fetchall()
    return {row[0] for row in rows}


def state_rows(settings: PostgresSettings) -> set[str]:
    with psycopg.connect(**settings.connect_kwargs()) as conn:
        airbyte = conn.execute("SELECT table_name FROM regional_cache._airbyte_state").fetchall()
        sql_sync = conn.execute("SELECT table_name FROM sql_raw._dm_sync_state").fetchall()
    return {f"airbyte:{row[0]}" for row in airbyte} | {f"sql:{row[0]}" for row in sql_sync}


def test_purge_drops_exactly_the_declared_tables_of_every_template(
    tmp_path: Path, pg_database: PostgresSettings, monkeypatch
) -> None:
    """Each template's location, with a named cache (airbyte), another schema (sql) and no table prefix:
    purge drops the tables its components declare, its dbt models' relations and their state rows only."""
    from data_manager.locations.lifecycle import add, remove
    from data_manager.locations.model import Location
    from data_manager.paths import ProjectPaths

    home = make_home(tmp_path / "home")
    (home / "external-connectors" / "_caches.yaml").write_text(CACHES_FILE)
    for key, value in {**pg_env(pg_database), "DATA_PLATFORM_HOME": str(home), "MYSQL_DB": "shop"}.items():
        monkeypatch.setenv(key, value)
    paths = ProjectPaths(home)
    for name, template in LOCATIONS.items():
        add(paths, name, template=template)
    for name in ("ab", "keep"):
        defs = Location.named(name, paths).defs_dir / "source_sync" / "defs.yaml"
        defs.write_text(defs.read_text() + "  cache: regional\n")
    sq_defs = Location.named("sq", paths).defs_dir / "source_sync" / "defs.yaml"
    without_prefix = [line for line in sq_defs.read_text().splitlines() if "table_prefix" not in line]
    sq_defs.write_text("\n".join([*without_prefix, "  target_schema: sql_raw", ""]))

    with psycopg.connect(**pg_database.connect_kwargs()) as conn:
        for schema in ("pyairbyte_cache", "regional_cache", "sql_raw", "staging", "reporting"):
            conn.execute(f"CREATE SCHEMA {schema}")
        tables = [
            "regional_cache.ab_users", "regional_cache.ab_users_extra", "regional_cache.keep_users",
            "pyairbyte_cache.ab_users", "sql_raw.shop_customers", "sql_raw.shop_orders",
            "pyairbyte_cache.shop_customers", "reporting.ab_reporting", "reporting.sq_reporting",
            "reporting.db_reporting", "reporting.keep_reporting",
        ]  # fmt: skip
        for table in tables:
            conn.execute(f"CREATE TABLE {table} (id int)")
        for view in ("staging_ab_users", "staging_sq_customers", "staging_db_users", "staging_keep_users"):
            conn.execute(f"CREATE VIEW staging.{view} AS SELECT 1 AS id")
        conn.execute("CREATE TABLE regional_cache._airbyte_state (table_name text)")
        conn.execute("INSERT INTO regional_cache._airbyte_state VALUES ('ab_users'), ('keep_users')")
        conn.execute("CREATE TABLE sql_raw._dm_sync_state (table_name text)")
        conn.execute("INSERT INTO sql_raw._dm_sync_state VALUES ('shop_customers'), ('shop_orders')")
    before = relations(pg_database)

    expected_drops = {
        "ab": {"regional_cache.ab_users", "staging.staging_ab_users", "reporting.ab_reporting"},
        "sq": {"sql_raw.shop_customers", "staging.staging_sq_customers", "reporting.sq_reporting"},
        "db": {"staging.staging_db_users", "reporting.db_reporting"},
        "em": set(),
    }
    dropped: set[str] = set()
    for name, expected in expected_drops.items():
        result = remove(paths, name, purge=True)
        assert {item.split(" ", 1)[1] for item in result.removed if item.startswith("table ")} == expected, name
        dropped |= expected
        assert relations(pg_database) == before - dropped, name
    assert state_rows(pg_database) == {"airbyte:keep_users", "sql:shop_orders"}
    assert not (home / "external-connectors" / "ab.yaml").exists()
    assert (home / "external-connectors" / "keep.yaml").is_file()
