"""The data model and loading on a real Postgres: migrations, safe entity DDL, append/upsert/replace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import psycopg
import pytest
from pydantic import ValidationError

from data_manager.errors import UserError
from data_manager.pipelines.loading import LoadFailed, load_records
from data_manager.pipelines.migrate import current_revision, downgrade, head_revision, upgrade
from data_manager.pipelines.models import EntityIn
from data_manager.pipelines.store import PipelineStore

PRODUCT_ENTITY = {
    "name": "products",
    "table_name": "products",
    "columns": [
        {"name": "sku", "type": "text", "nullable": False},
        {"name": "name", "type": "text"},
        {"name": "price", "type": "decimal"},
        {"name": "stock", "type": "integer"},
        {"name": "added", "type": "date"},
    ],
    "unique_fields": ["sku"],
}


def rows(store: PipelineStore, table: str = "entities.products") -> list[tuple]:
    with psycopg.connect(**store.settings.connect_kwargs()) as conn:
        return conn.execute(f"SELECT sku, name, price, stock FROM {table} ORDER BY sku").fetchall()


def records(n: int, start: int = 0, name: str = "item") -> list[dict]:
    return [
        {"sku": f"S{i:07d}", "name": f"{name} {i}", "price": Decimal("1.50"), "stock": i, "added": date(2024, 1, 1)}
        for i in range(start, start + n)
    ]


def test_migrations_reach_head_and_are_idempotent(store: PipelineStore) -> None:
    assert current_revision(store.settings) == head_revision()
    assert upgrade(store.settings) == head_revision()


def test_artifacts_stored_before_chunks_keep_their_bytes_and_gain_their_sha256(pg_env) -> None:
    import hashlib

    upgrade(pg_env, "0001")
    document = b"%PDF-1.4 " + bytes(range(256)) * 10
    with psycopg.connect(**pg_env.connect_kwargs()) as conn:
        conn.execute(
            "INSERT INTO universal_pipelines.artifacts (name, media_type, content, size_bytes) "
            "VALUES ('old.pdf', 'application/pdf', %s, %s), ('empty.txt', 'text/plain', '', 0)",
            (document, len(document)),
        )
    assert upgrade(pg_env) == head_revision()
    store = PipelineStore(pg_env)
    old, empty = store.list_artifacts()
    assert (old.stored, old.sha256) == (True, hashlib.sha256(document).hexdigest())
    assert store.artifact_content(old.id) == document and store.artifact_content(empty.id) == b""


def test_artifact_enabled_migrates_up_and_down(pg_env) -> None:
    upgrade(pg_env, "0002")
    with psycopg.connect(**pg_env.connect_kwargs()) as conn:
        conn.execute(
            "INSERT INTO universal_pipelines.artifacts (name, media_type, location) VALUES ('a', 'text/html', '/a')"
        )
    assert upgrade(pg_env, "0003") == "0003"
    [artifact] = PipelineStore(pg_env).list_artifacts()
    assert artifact.enabled is True
    assert downgrade(pg_env, "0002") == "0002"
    with psycopg.connect(**pg_env.connect_kwargs()) as conn:
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'universal_pipelines' AND table_name = 'artifacts'"
        ).fetchall()
    assert ("enabled",) not in columns
    assert upgrade(pg_env) == head_revision()


def test_entity_table_created_extended_and_never_retyped(store: PipelineStore) -> None:
    entity = store.create_entity(EntityIn(**PRODUCT_ENTITY))
    with psycopg.connect(**store.settings.connect_kwargs()) as conn:
        types = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'entities' AND table_name = 'products'"
            ).fetchall()
        )
    assert types == {"sku": "text", "name": "text", "price": "numeric", "stock": "integer", "added": "date"}
    wider = {**PRODUCT_ENTITY, "columns": [*PRODUCT_ENTITY["columns"], {"name": "color", "type": "text"}]}
    store.update_entity(entity.id, EntityIn(**wider))
    retyped = {**PRODUCT_ENTITY, "columns": [{"name": "sku", "type": "integer"}, *PRODUCT_ENTITY["columns"][1:]]}
    with pytest.raises(
        UserError, match=r"column type mismatch: sku is text in entities\.products, the entity says integer"
    ):
        store.update_entity(entity.id, EntityIn(**retyped))
    assert store.get_entity(entity.id).columns[0].type == "text"  # the failed update changed nothing


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"table_name": 'x"; DROP TABLE y; --'}, "table_name"),
        ({"schema_name": "Bad-Schema"}, "schema_name"),
        ({"columns": [{"name": "1st", "type": "text"}]}, "columns.0.name"),
        ({"columns": [{"name": "a", "type": "varchar(10); drop"}]}, "columns.0.type"),
        ({"unique_fields": ["nope"]}, "unique_fields not among the columns: nope"),
    ],
)
def test_entity_input_is_validated(change: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace(".", r"\.")):
        EntityIn(**{**PRODUCT_ENTITY, **change})


def test_append_uses_batches_and_copy(store: PipelineStore) -> None:
    entity = store.create_entity(EntityIn(**PRODUCT_ENTITY))
    result = load_records(store.settings, entity, records(450), "append", batch_size=200)
    assert (result.loaded, result.batches) == (450, 3)
    small = load_records(store.settings, entity, records(3, start=1000), "append", batch_size=2)
    assert (small.loaded, small.batches) == (3, 2)
    assert len(rows(store)) == 453


@pytest.mark.parametrize("size", [5, 500])  # INSERT ... ON CONFLICT, and COPY into a staging table
def test_upsert_updates_and_inserts(store: PipelineStore, size: int) -> None:
    entity = store.create_entity(EntityIn(**PRODUCT_ENTITY))
    load_records(store.settings, entity, records(size), "upsert", batch_size=1000)
    changed = records(size, name="changed")[: size // 2] + records(2, start=size)
    changed.append({**changed[0], "name": "last wins"})  # the same key twice in one batch
    result = load_records(store.settings, entity, changed, "upsert", batch_size=1000)
    assert result.loaded == size // 2 + 2  # the duplicate key counts once
    loaded = rows(store)
    assert len(loaded) == size + 2
    assert loaded[0][1] == "last wins" and loaded[1][1] == "changed 1" and loaded[-3][1] == f"item {size - 1}"


def unique_indexes(store: PipelineStore) -> list[str]:
    with psycopg.connect(**store.settings.connect_kwargs()) as conn:
        query = "SELECT indexdef FROM pg_indexes WHERE schemaname = 'entities' AND tablename = 'products'"
        return [row[0] for row in conn.execute(query).fetchall()]


def test_first_upsert_is_a_copy_that_keeps_the_unique_index(store: PipelineStore) -> None:
    """Into an empty table: COPY, then the index; a duplicate key falls back to deduplicated rows."""
    entity = store.create_entity(EntityIn(**PRODUCT_ENTITY))
    given = [*records(300), {**records(1)[0], "name": "last wins"}]
    result = load_records(store.settings, entity, given, "upsert", batch_size=100)
    assert (result.loaded, result.batches) == (300, 3)
    loaded = rows(store)
    assert len(loaded) == 300 and loaded[0][1] == "last wins"
    assert len(unique_indexes(store)) == 1 and "UNIQUE" in unique_indexes(store)[0]
    again = load_records(store.settings, entity, records(250, start=200, name="again"), "upsert")
    assert again.loaded == 250 and len(rows(store)) == 450  # ON CONFLICT finds the index


def test_first_upsert_converts_values_and_fails_whole(store: PipelineStore) -> None:
    entity = store.create_entity(EntityIn(**PRODUCT_ENTITY))
    to_convert = records(300)
    to_convert[7]["stock"] = Decimal("7")  # an integer column given a Decimal: converted, not COPYed as is
    assert load_records(store.settings, entity, to_convert, "upsert").loaded == 300
    assert rows(store)[7][3] == 7 and len(unique_indexes(store)) == 1
    with psycopg.connect(**store.settings.connect_kwargs()) as conn:
        conn.execute("TRUNCATE entities.products")
    bad = records(300)
    bad[5]["stock"] = "many"
    with pytest.raises(LoadFailed, match=r"record 6 \(artifact None\): column stock \(integer\) got 'many'"):
        load_records(store.settings, entity, bad, "upsert")
    assert rows(store) == [] and len(unique_indexes(store)) == 1


def test_replace_failing_midway_keeps_the_old_rows(store: PipelineStore) -> None:
    entity = store.create_entity(EntityIn(**PRODUCT_ENTITY))
    load_records(store.settings, entity, records(4), "append")
    before = rows(store)
    duplicate_in_second_batch = records(3, start=100) + records(1, start=100)
    with pytest.raises(LoadFailed, match=r"replace.*failed after 2 of 4 rows, nothing was written: duplicate key"):
        load_records(store.settings, entity, duplicate_in_second_batch, "replace", batch_size=2)
    assert rows(store) == before
    replaced = load_records(store.settings, entity, records(2, start=100), "replace", batch_size=2)
    assert replaced.loaded == 2 and [r[0] for r in rows(store)] == ["S0000100", "S0000101"]


def test_type_mismatch_is_reported_per_record(store: PipelineStore) -> None:
    entity = store.create_entity(EntityIn(**PRODUCT_ENTITY))
    bad = records(3)
    bad[1]["stock"] = "many"
    bad[2]["sku"] = None
    with pytest.raises(LoadFailed, match=r"record 2 \(artifact 11\): column stock \(integer\) got 'many'"):
        load_records(store.settings, entity, bad, "append", record_artifacts=[10, 11, 12])
    assert rows(store) == []
    result = load_records(
        store.settings, entity, bad, "append", failure_policy="continue", record_artifacts=[10, 11, 12]
    )
    assert result.loaded == 1
    assert result.failures == [
        {"artifact_id": 11, "record": 2, "errors": ["column stock (integer) got 'many'"]},
        {"artifact_id": 12, "record": 3, "errors": ["column sku (text) is NOT NULL but got nothing"]},
    ]
