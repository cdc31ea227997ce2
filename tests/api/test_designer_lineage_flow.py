"""Lineage edits and primitives through the API with real dg on a copy of the repository: a drawn dependency
lands in the target's defs.yaml post-processing and in dg's preview; duplicates, self-loops and cycles are
refused with nothing written; a job of picked assets, a cron schedule and an asset sensor appear in the
preview, and `dg check defs` accepts the result."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from data_manager.designer.layout import location_layout
from data_manager.paths import ProjectPaths

pytestmark = pytest.mark.e2e


def _write_sync(defs_dir: Path, folder: str, table: str, prefix: str) -> Path:
    defs_file = defs_dir / folder / "defs.yaml"
    defs_file.parent.mkdir(parents=True)
    defs_file.write_text(
        "# written by the test\ntype: data_manager.components.SqlTableSyncComponent\n"
        f"attributes:\n  source: mysql\n  tables: [{table}]\n  table_prefix: {prefix}\n"
    )
    return defs_file


def test_drawn_dependency_and_primitives(client: TestClient, designer_home: Path) -> None:
    name = f"lineage_{uuid.uuid4().hex[:6]}"
    assert client.post("/api/designer/locations", json={"name": name, "template": "empty"}).status_code == 201
    defs_dir = location_layout(ProjectPaths(designer_home), name).defs_dir
    _write_sync(defs_dir, "a_sync", "customers", f"{name}_a_")
    target_file = _write_sync(defs_dir, "b_sync", "orders", f"{name}_b_")
    original = target_file.read_text()
    base = f"/api/designer/locations/{name}"
    source, target = f"pyairbyte_cache/{name}_a_customers", f"pyairbyte_cache/{name}_b_orders"

    drawn = client.post(f"{base}/lineage", json={"source": source, "target": target})
    assert drawn.status_code == 201, drawn.text
    assert {"source": source, "target": target, "origin": "drawn", "kind": "post_processing"} in drawn.json()["edges"]
    assert (
        target_file.read_text().startswith("# written by the test\n") and "post_processing" in target_file.read_text()
    )
    assets = {asset["key"]: asset for asset in client.get(f"{base}/preview").json()["assets"]}
    assert assets[target]["deps"] == [source]

    before = target_file.read_bytes()
    twice = client.post(f"{base}/lineage", json={"source": source, "target": target})
    assert twice.status_code == 409 and "already depends" in twice.json()["errors"][0]["message"]
    cycle = client.post(f"{base}/lineage", json={"source": target, "target": source})
    assert cycle.status_code == 422 and "cycle" in cycle.json()["errors"][0]["message"]
    loop = client.post(f"{base}/lineage", json={"source": source, "target": source})
    assert loop.status_code == 422 and "itself" in loop.json()["errors"][0]["message"]
    assert target_file.read_bytes() == before and not (defs_dir / "a_sync" / "defs.yaml").read_text().count("post")

    job = client.post(f"{base}/jobs", json={"name": "nightly", "assets": [source, target]})
    assert job.status_code == 201, job.text
    bad = client.post(f"{base}/schedules", json={"name": "9bad", "job": "missing", "cron": "61 * * * *"})
    assert bad.status_code == 422
    assert [error["path"] for error in bad.json()["errors"]] == [["name"], ["job"], ["cron"]]
    schedule = client.post(
        f"{base}/schedules", json={"name": "nightly_schedule", "job": "nightly", "cron": "0 6 * * 1-5"}
    )
    assert schedule.status_code == 201, schedule.text
    assert len(schedule.json()["next_runs"]) == 5
    sensor = client.post(f"{base}/sensors", json={"name": "orders_sensor", "asset": source, "job": "nightly"})
    assert sensor.status_code == 201, sensor.text
    taken = client.post(f"{base}/jobs", json={"name": "nightly", "assets": [source]})
    assert taken.status_code == 422 and "already defines" in taken.json()["errors"][0]["message"]

    preview = client.get(f"{base}/preview").json()
    assert "nightly" in {job["name"] for job in preview["jobs"]}
    assert {"name": "nightly_schedule", "cron_schedule": "0 6 * * 1-5"}.items() <= preview["schedules"][0].items()
    assert [sensor["name"] for sensor in preview["sensors"]] == ["orders_sensor"]
    check = client.post(f"{base}/check", json={"defs": True}).json()
    assert check["ok"] is True, check["errors"]

    removed = client.delete(f"{base}/lineage", params={"source": source, "target": target})
    assert removed.status_code == 200, removed.text
    assert target_file.read_text() == original
    assert client.get(f"{base}/lineage").json()["edges"] == []
    gone = client.delete(f"{base}/lineage", params={"source": source, "target": target})
    assert gone.status_code == 404
