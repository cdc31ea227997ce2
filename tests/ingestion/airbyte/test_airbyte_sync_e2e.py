"""PyAirbyte syncs into a fresh Postgres database: pip_url (source-faker from PyPI) and a declarative manifest.

`source-faker` is installed once into AIRBYTE_INSTALL_DIR (default `.data/airbyte`) and reused by later runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from data_manager.errors import UserError
from data_manager.ingestion.airbyte.cache_tables import CacheTables, temp_table_created_at
from data_manager.ingestion.airbyte.caches import get_cache
from data_manager.ingestion.airbyte.sync import sync_connector
from data_manager.process_groups import free_port
from data_manager.settings import PostgresSettings
from ingestion.airbyte.loopback import LoopbackServer

pytestmark = pytest.mark.e2e


def tables_in(settings: PostgresSettings, schema: str = "pyairbyte_cache") -> dict[str, int]:
    """Every table of `schema` with its row count (empty when the schema does not exist)."""
    with psycopg.connect(**settings.connect_kwargs()) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1", (schema,)
            )
        ]
        return {n: conn.execute(f'SELECT count(*) FROM "{schema}"."{n}"').fetchone()[0] for n in names}


def test_airbyte_faker_and_manifest_sync_then_drop_one_connector(
    pg_env: PostgresSettings, connectors_dir: Path, sample_api_env: LoopbackServer
) -> None:
    faker = sync_connector("source-faker", ["users", "products"])
    assert faker.status == "success", faker.error
    assert {t.source_table: t.rows for t in faker.tables} == {"users": 50, "products": 50}
    assert (faker.source, faker.target_schema, faker.cache) == ("source-faker", "pyairbyte_cache", "default")
    assert {t.source_table: t.target_table for t in faker.tables} == {
        "users": "pyairbyte_cache.faker_users",
        "products": "pyairbyte_cache.faker_products",
    }
    assert {t.reader for t in faker.tables} == {"pyairbyte"}

    sample = sync_connector("sample-api")
    assert sample.status == "success", sample.error
    assert sample.rows_per_table == {"pyairbyte_cache.sample_api_items": 7}
    pages = [r["path"] for r in sample_api_env.requests]
    assert any("page=2" in p for p in pages) and any("page=3" in p for p in pages)  # paging really happened
    assert not any("page=4" in p for p in pages)  # a short page ends it

    tables = tables_in(pg_env)
    assert tables["faker_users"] == 50 and tables["faker_products"] == 50 and tables["sample_api_items"] == 7
    with psycopg.connect(**pg_env.connect_kwargs()) as conn:
        names = conn.execute("SELECT name, price FROM pyairbyte_cache.sample_api_items ORDER BY id").fetchall()
        states = conn.execute("SELECT table_name FROM pyairbyte_cache._airbyte_state ORDER BY 1").fetchall()
    assert names[0] == ("item 1", 1.5) and len(names) == 7
    assert {"faker_users", "faker_products"} <= {s[0] for s in states}

    manager = CacheTables()
    assert "pyairbyte_cache" in manager.list_schemas()
    listed = {t.name: t.rows for t in manager.list_tables("faker_")}
    assert listed == {"faker_products": 50, "faker_users": 50}
    assert sorted(manager.drop_connector_tables("source-faker")) == ["faker_products", "faker_users"]
    after = tables_in(pg_env)
    assert "faker_users" not in after and after["sample_api_items"] == 7
    with psycopg.connect(**pg_env.connect_kwargs()) as conn:
        states = {r[0] for r in conn.execute("SELECT table_name FROM pyairbyte_cache._airbyte_state")}
        catalog = {r[0] for r in conn.execute("SELECT table_name FROM pyairbyte_cache._airbyte_streams")}
    assert not {s for s in states | catalog if s.startswith("faker_")}
    assert "sample_api_items" in catalog


def test_airbyte_regional_cache_in_other_schema(
    pg_env: PostgresSettings, connectors_dir: Path, sample_api_env: LoopbackServer
) -> None:
    (connectors_dir / "_caches.yaml").write_text("caches:\n  regional:\n    schema: regional_cache\n")
    cache = get_cache("regional", "sample-api")
    assert (cache.schema_name, cache.table_prefix, cache.database) == ("regional_cache", "sample_api_", pg_env.database)
    result = sync_connector("sample-api", ["items"], cache_name="regional", full_refresh=True)
    assert result.ok, result.error
    assert tables_in(pg_env, "regional_cache")["sample_api_items"] == 7
    assert tables_in(pg_env) == {}  # nothing in the default cache schema

    # A cache built without the connector prefix is re-prefixed, so connectors never share tables.
    again = sync_connector(
        "sample-api", ["items"], cache=get_cache("regional"), write_strategy="replace", full_refresh=True
    )
    assert again.ok and [t.target_table for t in again.tables] == ["regional_cache.sample_api_items"]
    assert tables_in(pg_env, "regional_cache")["sample_api_items"] == 7


def test_airbyte_bad_input_writes_nothing(
    pg_env: PostgresSettings, connectors_dir: Path, sample_api_env: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(UserError, match="unknown connector 'source-nope'"):
        sync_connector("source-nope")

    (connectors_dir / "no-config.yaml").write_text(
        "version: 1\nname: source-faker\nconnector_type: source\npip_url: x\n"
    )
    with pytest.raises(UserError, match=r"no-config\.yaml: field `config` is missing"):
        sync_connector("no-config")

    monkeypatch.delenv("TEST_SAMPLE_API_KEY")
    with pytest.raises(UserError) as info:
        sync_connector("sample-api")
    assert "TEST_SAMPLE_API_KEY" in str(info.value) and "test-key" not in str(info.value)

    monkeypatch.setenv("TEST_SAMPLE_API_KEY", "test-key-7f3a9c")
    with pytest.raises(UserError, match="has no stream nope"):
        sync_connector("sample-api", ["nope"])

    monkeypatch.setenv("TEST_SAMPLE_API_URL", f"http://127.0.0.1:{free_port()}")
    unreachable = sync_connector("sample-api")
    assert (unreachable.status, unreachable.stage) == ("failed", "check")
    assert "Connection refused" in unreachable.error or "ConnectionError" in unreachable.error
    assert "test-key-7f3a9c" not in unreachable.error
    assert tables_in(pg_env) == {}


def test_airbyte_stale_staging_tables_are_cleaned(pg_env: PostgresSettings) -> None:
    """PyAirbyte temp tables are `<stream>_<6 ULID time chars + 3 random>`; old orphans go, the rest stays."""

    def ulid_prefix(when: datetime) -> str:
        value, chars = int(when.timestamp() * 1000) >> 20, ""
        for _ in range(6):
            chars = "0123456789abcdefghjkmnpqrstvwxyz"[value % 32] + chars
            value //= 32
        return chars

    old = f"users_{ulid_prefix(datetime.now(UTC) - timedelta(days=2))}x1z"
    fresh = f"users_{ulid_prefix(datetime.now(UTC))}x1z"
    assert temp_table_created_at(old) is not None and temp_table_created_at("faker_purchases") is None
    with psycopg.connect(**pg_env.connect_kwargs(), autocommit=True) as conn:
        conn.execute("CREATE SCHEMA pyairbyte_cache")
        for name in (old, fresh, "faker_users", "orders_012345678"):
            conn.execute(f'CREATE TABLE pyairbyte_cache."{name}" (id int)')
    manager = CacheTables()
    assert manager.cleanup_stale_staging_tables(timedelta(hours=6), dry_run=True) == [old]
    assert manager.cleanup_stale_staging_tables(timedelta(hours=6)) == [old]
    assert sorted(tables_in(pg_env)) == sorted([fresh, "faker_users", "orders_012345678"])
    with pytest.raises(UserError, match="refusing to drop"):
        manager.drop_prefix("")
