"""The designer's round trip with real dg subprocesses, through the API and through the CLI:
create a location -> scaffold a SqlTableSyncComponent -> set tables -> preview shows the assets -> validate is
clean; a bad attribute is pinned to its field and changes nothing; export and git round trips."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.designer_support import git
from data_manager.designer.layout import location_layout
from data_manager.paths import ProjectPaths
from platform_support import run_cli

pytestmark = pytest.mark.e2e
TABLE_SYNC = "data_manager.components.SqlTableSyncComponent"


def _defs_file(home: Path, location: str, instance: str) -> Path:
    return location_layout(ProjectPaths(home), location).instance_dir(instance) / "defs.yaml"


def test_api_round_trip(client: TestClient, designer_home: Path) -> None:
    name = f"designer_{uuid.uuid4().hex[:6]}"
    created = client.post("/api/designer/locations", json={"name": name, "template": "empty"})
    assert created.status_code == 201, created.text
    assert name in {loc["name"] for loc in client.get("/api/designer/locations").json()["locations"]}
    base = f"/api/designer/locations/{name}"

    scaffold = {"type": TABLE_SYNC, "path": "shop_sync", "attributes": {"source": "mysql", "tables": ["customers"]}}
    response = client.post(f"{base}/components", json=scaffold)
    assert response.status_code == 201, response.text
    defs_file = _defs_file(designer_home, name, "shop_sync")
    defs_file.write_text("# kept comment\n" + defs_file.read_text())

    attributes = {"source": "mysql", "tables": ["customers", "orders"], "table_prefix": f"{name}_"}
    response = client.put(f"{base}/components/shop_sync", json={"attributes": attributes})
    assert response.status_code == 200, response.text
    assert response.json()["attributes"] == attributes
    assert defs_file.read_text().startswith("# kept comment\n")

    preview = client.get(f"{base}/preview")
    assert preview.status_code == 200, preview.text
    assets = {asset["key"]: asset for asset in preview.json()["assets"]}
    for table in ("customers", "orders"):
        asset = assets[f"pyairbyte_cache/{name}_{table}"]
        assert asset["component"] == "shop_sync" and "mysql" in asset["kinds"]
    again = client.get(f"{base}/preview").json()
    assert again["cached"] is True and again["assets"] == preview.json()["assets"]

    check = client.post(f"{base}/check", json={"defs": True}).json()
    assert check["ok"] is True, check["errors"]
    assert set(check["steps"]) == {"schema", "dg check yaml", "dg check defs"}

    before = defs_file.read_bytes()
    bad = client.put(f"{base}/components/shop_sync", json={"attributes": {**attributes, "mode": "sometimes"}})
    assert bad.status_code == 422
    assert [error["path"] for error in bad.json()["errors"]] == [["attributes", "mode"]]
    assert defs_file.read_bytes() == before

    env = client.get(f"{base}/env").json()["variables"]
    assert all(set(item) == {"name", "set", "files"} for item in env)

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{base}/export").content))
    relative = defs_file.relative_to(designer_home).as_posix()
    assert archive.read(relative) == defs_file.read_bytes()
    assert json.loads(archive.read("code-location.json"))["name"] == name

    status = client.get(f"{base}/git").json()
    assert relative in {change["path"] for change in status["changes"]} and "shop_sync" in status["diff"]
    commit = client.post(f"{base}/git/commit", json={"message": f"Add {name}"})
    assert commit.status_code == 200, commit.text
    committed = git(designer_home, "show", "--name-only", "--format=%s", "HEAD").split()
    assert committed[0] == "Add" and relative in committed
    assert all(path.startswith(f"app/dagster_code/{name}/") for path in committed[2:])
    assert "code-locations.json" in git(designer_home, "status", "--porcelain")  # other files stay uncommitted
    assert client.get(f"{base}/git").json()["changes"] == []
    assert client.post(f"{base}/git/commit", json={"message": "again"}).status_code == 409

    branches = client.get(f"{base}/git/branches").json()
    home_branch = branches["current"]
    assert home_branch in branches["branches"]
    assert client.post(f"{base}/git/branches", json={"name": "bad..name"}).status_code == 422
    created = client.post(f"{base}/git/branches", json={"name": f"try-{name}"})
    assert (
        created.status_code == 201
        and f"try-{name}" in created.json()["branches"]
        and created.json()["current"] == home_branch
    )
    assert client.post(f"{base}/git/branches", json={"name": f"try-{name}"}).status_code == 409
    switched = client.post(f"{base}/git/checkout", json={"branch": f"try-{name}"})
    assert switched.status_code == 200 and switched.json()["current"] == f"try-{name}", switched.text
    try:
        # a change set: only one of two changed files is committed
        env_example = designer_home / "app" / "dagster_code" / name / "dg.toml"
        env_example.write_text(env_example.read_text() + "# a note\n")
        defs_file.write_text(defs_file.read_text() + "# another note\n")
        assert client.post(f"{base}/git/checkout", json={"branch": home_branch}).status_code == 409  # uncommitted
        only = client.post(
            f"{base}/git/commit",
            json={
                "message": "Only dg.toml",
                "paths": [relative.replace("src/dagster_code/" + name + "/defs/shop_sync/defs.yaml", "dg.toml")],
            },
        )
        assert only.status_code == 200, only.text
        assert only.json()["files"] == [
            relative.replace("src/dagster_code/" + name + "/defs/shop_sync/defs.yaml", "dg.toml")
        ]
        assert [change["path"] for change in client.get(f"{base}/git").json()["changes"]] == [relative]
        assert client.post(f"{base}/git/commit", json={"message": "m", "paths": ["README.md"]}).status_code == 422
        assert client.post(f"{base}/git/commit", json={"message": "The rest"}).status_code == 200
    finally:
        back = client.post(f"{base}/git/checkout", json={"branch": home_branch})
        assert back.status_code == 200 and back.json()["current"] == home_branch, back.text

    renamed = client.put(f"{base}/components/shop_sync", json={"new_path": "ingest/shop"})
    assert renamed.status_code == 200, renamed.text
    assert client.delete(f"{base}/components/ingest/shop").status_code == 200
    assert client.get(f"{base}/components").json()["components"] == []
    assert not (_defs_file(designer_home, name, "ingest/shop").parents[1]).exists()  # no empty ingest/ left


def test_cli_round_trip(designer_home: Path, designer_env: dict[str, str]) -> None:
    def cli(*args: str):
        return run_cli(designer_home, *args, env=designer_env)

    name = f"designer_cli_{uuid.uuid4().hex[:6]}"
    assert cli("locations", "add", name).returncode == 0
    attributes = json.dumps({"source": "mysql", "tables": ["customers"], "table_prefix": f"{name}_"})
    result = cli("components", "scaffold", name, TABLE_SYNC, "shop_sync", "--attributes", attributes)
    assert result.returncode == 0, result.stderr
    result = cli("components", "set", name, "shop_sync", 'tables=["customers","orders"]')
    assert result.returncode == 0, result.stderr

    defs_file = _defs_file(designer_home, name, "shop_sync")
    before = defs_file.read_bytes()
    bad = cli("components", "set", name, "shop_sync", "mode=sometimes", "bogus=1")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "attributes.mode" in bad.stderr and "attributes.bogus" in bad.stderr
    assert defs_file.read_bytes() == before

    listed = json.loads(cli("components", "list", name, "--json").stdout)
    assert [(item["path"], item["type"]) for item in listed] == [("shop_sync", TABLE_SYNC)]
    shown = cli("components", "show", name, "shop_sync")
    assert shown.stdout == defs_file.read_text()

    preview = cli("components", "preview", name, "--json")
    assert preview.returncode == 0, preview.stderr
    keys = {asset["key"] for asset in json.loads(preview.stdout)["assets"]}
    assert {f"pyairbyte_cache/{name}_customers", f"pyairbyte_cache/{name}_orders"} <= keys

    check = cli("components", "check", name, "--json")
    assert check.returncode == 0, check.stdout + check.stderr
    assert json.loads(check.stdout)["ok"] is True

    unknown = cli("components", "scaffold", name, "nope.Missing", "../x")
    assert unknown.returncode == 2 and "'..'" in unknown.stderr and "nope.Missing" in unknown.stderr
