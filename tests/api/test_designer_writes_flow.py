"""Writes that never leave a location broken, with real dg on a copy of the repository and the files on disk:
an abandoned Add writes nothing, the form's refusals match the schema's, a dg failure is refused whole and pinned
to its component, a failing component keeps the other components' assets in the preview, and `dg check defs`
passes after every step."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.designer_support import assert_defs_ok, refused
from data_manager.designer.layout import location_layout
from data_manager.designer.yaml_files import load_documents, plain
from data_manager.paths import ProjectPaths
from platform_support import tree_digest

pytestmark = pytest.mark.e2e
TABLE_SYNC = "data_manager.components.SqlTableSyncComponent"


def _sync(name: str, table: str, prefix: str, **extra: object) -> dict:
    return {
        "type": TABLE_SYNC,
        "path": name,
        "attributes": {"source": "mysql", "tables": [table], "table_prefix": prefix, **extra},
    }


def test_every_write_leaves_the_location_valid(client: TestClient, designer_home: Path) -> None:
    name = f"writes_{uuid.uuid4().hex[:6]}"
    assert client.post("/api/designer/locations", json={"name": name, "template": "empty"}).status_code == 201
    base = f"/api/designer/locations/{name}"
    layout = location_layout(ProjectPaths(designer_home), name)

    # an Add abandoned half-way (a draft validated, never created) writes nothing; the location stays valid
    before = tree_digest(layout.project_dir)
    draft = _sync("shop_sync", "orders", f"{name}_")
    assert client.post(f"{base}/components/validate", json={**draft, "defs": False}).json() == {
        "location": name, "ok": True, "errors": []
    }  # fmt: skip
    missing = refused(
        client.post(f"{base}/components/validate", json={**draft, "attributes": {"source": "mysql"}}), 422
    )
    assert [error["path"] for error in missing] == [["attributes", "tables"]]
    assert client.post(f"{base}/components/validate", json=draft).json()["ok"] is True  # schema + staged dg
    assert tree_digest(layout.project_dir) == before
    assert_defs_ok(client, base)

    created = client.post(f"{base}/components", json=draft)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["step"]["label"] == "add shop_sync" and body["step"]["files"] == [
        layout.relative(layout.defs_dir / "shop_sync" / "defs.yaml")
    ]
    assert body["reload"]["status"] in ("reloading", "not_running")
    assert refused(client.post(f"{base}/components", json=draft), 409)[0]["path"] == ["path"]
    assert refused(client.post(f"{base}/components/validate", json=draft), 409)

    defs_file = layout.defs_dir / "shop_sync" / "defs.yaml"
    defs_file.write_text(defs_file.read_text() + "# keep me: trailing comment\n")
    # the form's refusals are the schema's, each naming its field, nothing written
    before = defs_file.read_bytes()
    attributes = {"source": "mysql", "tables": ["orders"], "table_prefix": f"{name}_"}
    for bad, field in (
        ({"group_name": "my group!"}, "group_name"),
        ({"target_schema": "s" * 70}, "target_schema"),
        ({"chunk_rows": -5}, "chunk_rows"),
    ):
        errors = refused(client.put(f"{base}/components/shop_sync", json={"attributes": {**attributes, **bad}}), 422)
        assert [error["path"] for error in errors] == [["attributes", field]], errors
    # dg refuses what the schema cannot see (a backfill without a cursor), whole and pinned to the component
    errors = refused(
        client.put(f"{base}/components/shop_sync", json={"attributes": {**attributes, "mode": "backfill"}}), 422
    )
    assert any(
        "needs cursor_column" in error["message"] and error.get("component") == "shop_sync" for error in errors
    ), errors
    assert all(error["message"] != "dg check defs failed: |" for error in errors)
    assert defs_file.read_bytes() == before

    # a key added lands inside the mapping, above the trailing comment
    saved = client.put(f"{base}/components/shop_sync", json={"attributes": {**attributes, "mode": "full-refresh"}})
    assert saved.status_code == 200, saved.text
    text = defs_file.read_text()
    assert plain(load_documents(text)[0])["attributes"]["mode"] == "full-refresh"
    assert text.index("mode: full") < text.index("# keep me: trailing comment")
    assert_defs_ok(client, base)

    # a component broken by hand: its error on its own node, the other component's assets still there
    broken = layout.defs_dir / "broken_sync" / "defs.yaml"
    broken.parent.mkdir()
    broken.write_text(f"type: {TABLE_SYNC}\nattributes:\n  source: mysql\n  tables: [x]\n  group_name: my group!\n")
    preview = client.get(f"{base}/preview")
    assert preview.status_code == 200, preview.text
    document = preview.json()
    assert document["ok"] is False and [item["component"] for item in document["failed"]] == ["broken_sync"]
    (error,) = document["failed"][0]["errors"]
    assert "my group!" in error["message"] and error["file"] == layout.relative(broken)
    assert {asset["key"] for asset in document["assets"]} == {f"pyairbyte_cache/{name}_orders", f"{name}/example_asset"}
    lineage = client.get(f"{base}/lineage").json()
    assert lineage["failed"] == document["failed"]
    # its delete is a write like any other: checked (the location loads without it), journalled
    deleted = client.delete(f"{base}/components/broken_sync")
    assert deleted.status_code == 200, deleted.text
    assert not broken.parent.exists() and client.get(f"{base}/preview").json()["ok"] is True
    assert_defs_ok(client, base)

    # the Files tab: a save that dg refuses names it whole
    python_file = layout.defs_dir / "notes.py"
    failing = "import dagster as dg\n\nraise RuntimeError('no warehouse today,\\nsecond line')\n"
    errors = refused(
        client.put(f"/api/designer/locations/{name}/files/{layout.relative(python_file)}", json={"content": failing}),
        422,
    )
    assert any("no warehouse today" in e["message"] and "second line" in e["message"] for e in errors), errors
    assert not python_file.exists()

    history = client.get(f"{base}/history").json()
    assert [step["label"] for step in history["steps"]] == ["add shop_sync", "edit shop_sync", "delete broken_sync"]
    assert history["can_undo"] and not history["can_redo"]
