"""Delete, rename, duplicate and undo with real dg on a copy of the repository, the files on disk: a delete with
dependents is refused (409 listing them), then cascades in one step; undo puts every file back byte for byte and
the history survives a new app (a page reload); rename and duplicate keep names and references consistent; and
a dependency drawn into a dbt model is a dbt source, shown as a diff first. `dg check defs` passes after each."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.designer_support import assert_defs_ok, refused
from data_manager.api.app import create_app
from data_manager.designer.layout import location_layout
from data_manager.designer.yaml_files import load_documents, plain
from data_manager.paths import ProjectPaths
from platform_support import tree_digest

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(90)]
TABLE_SYNC = "data_manager.components.SqlTableSyncComponent"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _attributes(path: Path) -> dict:
    return plain(load_documents(path.read_text())[0])["attributes"]


def test_delete_rename_duplicate_and_undo(client: TestClient, designer_home: Path) -> None:
    name = f"refs_{uuid.uuid4().hex[:6]}"
    assert client.post("/api/designer/locations", json={"name": name, "template": "empty"}).status_code == 201
    base = f"/api/designer/locations/{name}"
    defs = location_layout(ProjectPaths(designer_home), name).defs_dir
    a_key, b_key = f"pyairbyte_cache/{name}_a_customers", f"pyairbyte_cache/{name}_b_orders"
    for folder, table, prefix in (("a_sync", "customers", f"{name}_a_"), ("b_sync", "orders", f"{name}_b_")):
        _write(defs / folder / "defs.yaml", f"# {folder}, by hand\ntype: {TABLE_SYNC}\nattributes:\n  source: mysql\n"
               f"  tables: [{table}]\n  table_prefix: {prefix}\n")  # fmt: skip
    _write(defs / "nightly" / "defs.yaml", "type: data_manager.components.AssetJobComponent\nattributes:\n"
           f"  job_name: nightly\n  assets: [{a_key}, {b_key}]\n")  # fmt: skip
    _write(defs / "a_only" / "defs.yaml", "type: data_manager.components.AssetJobComponent\nattributes:\n"
           f"  job_name: a_only\n  assets: [{a_key}]\n")  # fmt: skip
    _write(defs / "nightly_schedule" / "defs.yaml", "type: data_manager.components.CronScheduleComponent\n"
           "attributes:\n  schedule_name: nightly_schedule\n  job_name: nightly\n  cron_schedule: '0 6 * * *'\n")  # fmt: skip
    _write(defs / "a_only_sensor" / "defs.yaml", "type: data_manager.components.AssetSensorComponent\nattributes:\n"
           f"  sensor_name: a_only_sensor\n  asset_key: {b_key}\n  job_name: a_only\n")  # fmt: skip
    drawn = client.post(f"{base}/lineage", json={"source": a_key, "target": b_key})
    assert drawn.status_code == 201, drawn.text
    assert_defs_ok(client, base)

    refs = client.get(f"{base}/components/a_sync/references").json()
    assert refs["assets"] == [a_key] and refs["count"] == 4
    assert refs["lineage"] == [{"source": a_key, "target": b_key, "component": "b_sync", "action": "remove"}]
    assert {(job["path"], job["action"]) for job in refs["jobs"]} == {("nightly", "edit"), ("a_only", "delete")}
    assert [(sensor["path"], sensor["action"]) for sensor in refs["sensors"]] == [("a_only_sensor", "delete")]
    assert refs["schedules"] == []  # nightly keeps b's asset, so its schedule stays

    before = tree_digest(defs)
    originals = {
        path: path.read_bytes() for path in defs.rglob("*") if path.is_file() and "__pycache__" not in path.parts
    }
    conflict = client.delete(f"{base}/components/a_sync")
    assert conflict.status_code == 409 and conflict.json()["references"]["count"] == 4
    assert tree_digest(defs) == before

    deleted = client.delete(f"{base}/components/a_sync", params={"cascade": True})
    assert deleted.status_code == 200, deleted.text
    body = deleted.json()
    assert set(body["removed"]) == {"a_sync", "a_only", "a_only_sensor"}
    assert not (defs / "a_sync").exists() and not (defs / "a_only").exists() and not (defs / "a_only_sensor").exists()
    assert _attributes(defs / "nightly" / "defs.yaml")["assets"] == [b_key]
    assert "post_processing" not in (defs / "b_sync" / "defs.yaml").read_text()
    assert client.get(f"{base}/lineage").json()["edges"] == []
    assert_defs_ok(client, base)

    # the journal is on the server: a new app (a reloaded page) sees it; undo restores every file byte for byte
    fresh = TestClient(create_app(token=""), raise_server_exceptions=False)
    history = fresh.get(f"{base}/history").json()
    assert history["undo"]["label"] == "delete a_sync and its 4 reference(s)"
    undone = fresh.post(f"{base}/undo")
    assert undone.status_code == 200, undone.text
    assert tree_digest(defs) == before
    assert all(path.read_bytes() == content for path, content in originals.items())
    assert_defs_ok(client, base)
    assert fresh.post(f"{base}/redo").status_code == 200 and not (defs / "a_sync").exists()
    assert fresh.post(f"{base}/undo").status_code == 200 and tree_digest(defs) == before
    assert fresh.get(f"{base}/history").json()["can_redo"] is True

    # rename a job: its name follows the folder, and so does the schedule launching it
    renamed = client.post(f"{base}/components/nightly/rename", json={"path": "jobs/daily"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["attributes"]["job_name"] == "daily" and renamed.json()["edited"] == [
        f"{location_layout(ProjectPaths(designer_home), name).relative(defs / 'nightly_schedule' / 'defs.yaml')}"
    ]
    assert _attributes(defs / "nightly_schedule" / "defs.yaml")["job_name"] == "daily"
    assert not (defs / "nightly").exists() and fresh.get(f"{base}/history").json()["can_redo"] is False
    assert_defs_ok(client, base)

    # duplicate a sync: new keys (its own table prefix), without the original's drawn rule
    copied = client.post(f"{base}/components/b_sync/duplicate", json={"path": "b_copy"})
    assert copied.status_code == 201, copied.text
    assert copied.json()["attributes"]["table_prefix"] == "b_copy_"
    assert "post_processing" not in (defs / "b_copy" / "defs.yaml").read_text()
    assert (defs / "b_copy" / "defs.yaml").read_text().startswith("# b_sync, by hand\n")
    keys = {asset["key"] for asset in client.get(f"{base}/preview").json()["assets"]}
    assert "pyairbyte_cache/b_copy_orders" in keys and b_key in keys
    clash = client.post(
        f"{base}/components/b_sync/duplicate", json={"path": "b_twin", "attributes": {"table_prefix": f"{name}_b_"}}
    )
    errors = refused(clash, 422)
    assert any(b_key.split("/")[1] in error["message"] for error in errors), errors
    assert not (defs / "b_twin").exists()
    assert_defs_ok(client, base)


def test_lineage_into_a_dbt_model_is_a_dbt_source_shown_as_a_diff_first(
    client: TestClient, designer_home: Path
) -> None:
    base = "/api/designer/locations/sql_sync"
    model = designer_home / "dbt_models/models/staging/sql_sync/staging_shop_orders.sql"
    original = model.read_bytes()
    source, target = "pyairbyte_cache/shop_customers", "staging/staging_shop_orders"
    dry = client.post(f"{base}/lineage", json={"source": source, "target": target, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["files"] == ["dbt_models/models/staging/sql_sync/staging_shop_orders.sql"]
    assert "+-- depends_on: {{ source('shop', 'shop_customers') }} (drawn in the designer)" in dry.json()["diff"]
    assert model.read_bytes() == original

    try:
        # the lines the diff showed changed after it was shown: Write with that diff lands nothing
        model.write_bytes(b"-- edited by hand meanwhile\n" + original)
        stale = client.post(
            f"{base}/lineage", json={"source": source, "target": target, "expected_diff": dry.json()["diff"]}
        )
        assert stale.status_code == 409, stale.text
        assert "changed since the diff was shown" in stale.json()["errors"][0]["message"]
        assert model.read_bytes() == b"-- edited by hand meanwhile\n" + original
        model.write_bytes(original)
        drawn = client.post(
            f"{base}/lineage", json={"source": source, "target": target, "expected_diff": dry.json()["diff"]}
        )
        assert drawn.status_code == 201, drawn.text
        assert {"source": source, "target": target, "origin": "drawn", "kind": "dbt_source"} in drawn.json()["edges"]
        assets = {asset["key"]: asset for asset in client.get(f"{base}/preview").json()["assets"]}
        assert source in assets[target]["deps"]
        undone = client.post(f"{base}/undo")
        assert undone.status_code == 200, undone.text
        assert model.read_bytes() == original
        assets = {asset["key"]: asset for asset in client.get(f"{base}/preview").json()["assets"]}
        assert source not in assets[target]["deps"]
    finally:
        model.write_bytes(original)
