"""Hostile input to /api/designer: traversal, symlinks, unknown types, invalid attributes, YAML bombs and huge
bodies each get a 4xx listing every error, and nothing changes on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.designer_support import refused
from data_manager.designer.layout import location_layout
from data_manager.paths import ProjectPaths
from platform_support import tree_digest

LOCATION = "sql_sync"
INSTANCE = "shop_sync"
TABLE_SYNC = "data_manager.components.SqlTableSyncComponent"
BOMB = (
    f"type: {TABLE_SYNC}\n"
    "attributes:\n  source: mysql\n  tables: &a [x, x, x, x, x, x, x, x, x, x]\n"
    "  deps: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  group_name: [*b, *b, *b, *b, *b, *b, *b, *b]\n"
)


def _url(path: str = "") -> str:
    return f"/api/designer/locations/{LOCATION}/components{path}"


@pytest.mark.parametrize("bad", ["..%2F..%2Fcode-locations.json", "a%2F..%2F..%2Fx", "%2Fetc%2Fpasswd", "a%5Cb"])
def test_path_traversal_is_refused_on_every_verb(client: TestClient, unchanged: None, bad: str) -> None:
    refused(client.get(_url(f"/{bad}")), 422)
    refused(client.put(_url(f"/{bad}"), json={"attributes": {"source": "mysql", "tables": ["x"]}}), 422)
    refused(client.delete(_url(f"/{bad}")), 422)
    refused(client.put(_url(f"/{INSTANCE}"), json={"new_path": bad.replace("%2F", "/")}), 422)


def test_create_lists_every_problem_at_once(client: TestClient, unchanged: None) -> None:
    response = client.post(_url(), json={"type": "nope.Missing", "path": "../evil", "attributes": {"x": 1}})
    errors = refused(response, 422)
    assert {tuple(error["path"]) for error in errors} == {("path",), ("type",)}


def test_unknown_type_location_and_instance_are_404(client: TestClient, unchanged: None) -> None:
    assert "unknown component type" in refused(client.get("/api/designer/components/nope.Missing"), 404)[0]["message"]
    refused(client.get("/api/designer/locations/nowhere/components"), 404)
    refused(client.get("/api/designer/locations/Bad-Name/components"), 404)
    refused(client.get(_url("/not_there")), 404)


def test_invalid_attributes_are_pinned_to_their_fields(
    client: TestClient, designer_home: Path, unchanged: None
) -> None:
    attributes = {"source": "mysql", "tables": ["ok", 5], "mode": ["full"], "bogus": 1}
    errors = refused(client.put(_url(f"/{INSTANCE}"), json={"attributes": attributes}), 422)
    paths = {tuple(error["path"]) for error in errors}
    assert {("attributes", "tables", 1), ("attributes", "mode"), ("attributes", "bogus")} <= paths


def test_missing_required_attribute_is_named(client: TestClient, unchanged: None) -> None:
    errors = refused(client.put(_url(f"/{INSTANCE}"), json={"attributes": {"source": "mysql"}}), 422)
    assert any("tables" in error["message"] for error in errors)


def test_yaml_bomb_and_wrong_type_in_raw_yaml_are_refused(client: TestClient, unchanged: None) -> None:
    errors = refused(client.put(_url(f"/{INSTANCE}"), json={"yaml": BOMB}), 422)
    assert all("aliases" in error["message"] and error["line"] for error in errors)
    wrong = refused(client.put(_url(f"/{INSTANCE}"), json={"yaml": "type: nope.Missing\nattributes: {}\n"}), 422)
    assert wrong[0]["path"] == ["type"]
    refused(client.put(_url(f"/{INSTANCE}"), json={"yaml": "type: [unclosed\n"}), 422)


def test_ten_megabyte_body_is_refused(client: TestClient, unchanged: None) -> None:
    body = '{"attributes": {"source": "mysql", "tables": ["' + "x" * (10 * 1024 * 1024) + '"]}}'
    response = client.put(_url(f"/{INSTANCE}"), content=body, headers={"content-type": "application/json"})
    assert "larger than" in refused(response, 413)[0]["message"]


def test_update_needs_exactly_one_change(client: TestClient, unchanged: None) -> None:
    refused(client.put(_url(f"/{INSTANCE}"), json={}), 422)
    refused(client.put(_url(f"/{INSTANCE}"), json={"attributes": {}, "yaml": "a: 1"}), 422)


def test_symlinks_are_never_followed(client: TestClient, designer_home: Path, tmp_path: Path) -> None:
    layout = location_layout(ProjectPaths(designer_home), LOCATION)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "defs.yaml").write_text(f"type: {TABLE_SYNC}\nattributes:\n  source: mysql\n  tables: [a]\n")
    link = layout.defs_dir / "linked"
    link.symlink_to(outside, target_is_directory=True)
    try:
        before = tree_digest(designer_home), (outside / "defs.yaml").read_text()
        assert "linked" not in {item["path"] for item in client.get(_url()).json()["components"]}
        assert "symlink" in refused(client.get(_url("/linked")), 422)[0]["message"]
        refused(client.put(_url("/linked"), json={"attributes": {"source": "mysql", "tables": ["b"]}}), 422)
        refused(client.delete(_url("/linked")), 422)
        refused(client.put(_url(f"/{INSTANCE}"), json={"new_path": "linked/inner"}), 422)
        assert (tree_digest(designer_home), (outside / "defs.yaml").read_text()) == before
    finally:
        link.unlink()


def test_read_only_designer_refuses_every_change_and_still_reads(
    client: TestClient, unchanged: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DESIGNER_READ_ONLY=1 (Compose: the code is in the image): each write is a 403 naming why; reads work."""
    monkeypatch.setenv("DESIGNER_READ_ONLY", "1")
    location = f"/api/designer/locations/{LOCATION}"
    writes = [
        client.post("/api/designer/locations", json={"name": "orders"}),
        client.delete(location),
        client.post(_url(), json={"type": TABLE_SYNC, "path": "x"}),
        client.put(_url(f"/{INSTANCE}"), json={"new_path": "renamed"}),
        client.delete(_url(f"/{INSTANCE}")),
        client.post(f"{location}/git/commit", json={"message": "m"}),
        client.put(f"{location}/files/x.sql", json={"content": "select 1"}),
        client.post(f"{location}/lineage", json={"source": "a", "target": "b"}),
        client.delete(f"{location}/lineage", params={"source": "a", "target": "b"}),
        client.post(f"{location}/jobs", json={}),
        client.post(f"{location}/schedules", json={}),
        client.post(f"{location}/sensors", json={}),
        client.post(_url(f"/{INSTANCE}/rename"), json={"path": "renamed"}),
        client.post(_url(f"/{INSTANCE}/duplicate"), json={"path": "copied"}),
        client.post(f"{location}/undo"),
        client.post(f"{location}/redo"),
        client.post(f"{location}/git/branches", json={"name": "b"}),
        client.post(f"{location}/git/checkout", json={"branch": "b"}),
    ]
    for response in writes:
        (error,) = refused(response, 403)
        assert "read-only" in error["message"] and "make up" in error["message"]
    # every route that may change files is in the list above: only checks, runs and cron reads are left
    changing = {
        (method, path)
        for path, item in client.get("/api/openapi.json").json()["paths"].items()
        for method in item
        if method != "get" and path.startswith("/api/designer/")
    }
    unguarded = {
        ("post", "/api/designer/locations/{name}/check"),
        ("post", "/api/designer/locations/{name}/run"),
        ("post", "/api/designer/cron"),
        ("post", "/api/designer/catalog/refresh"),
        ("post", "/api/designer/locations/{name}/components/validate"),  # writes nothing
        ("post", "/api/designer/locations/{name}/reload"),  # reloads the platform, changes no file
    }
    assert len(writes) == len(changing - unguarded), sorted(changing - unguarded)
    assert client.get(_url()).status_code == 200
    assert client.get(_url(f"/{INSTANCE}")).status_code == 200


def test_the_client_gets_the_servers_lists_and_settings(client: TestClient) -> None:
    zones = client.get("/api/designer/timezones").json()
    assert (
        zones["default"] == "UTC"
        and "Europe/Berlin" in zones["timezones"]
        and zones["timezones"] == sorted(zones["timezones"])
    )
    reserved = client.get("/api/designer/names/reserved").json()
    assert {"dagster", "platform", "class"} <= set(reserved["names"]) and reserved["pattern"] == "^[a-z][a-z0-9_]*$"
    assert client.get("/api/designer/settings").json() == {"read_only": False, "auto_reload": True}
    bad_zone = refused(client.post("/api/designer/cron", json={"cron": "0 6 * * *", "timezone": "Mars/Olympus"}), 422)
    assert bad_zone[0]["path"] == ["timezone"] and "/timezones" in bad_zone[0]["message"]


def test_locations_list_effective_ports(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_PORT_OFFSET", "7")
    body = client.get("/api/designer/locations").json()
    (location,) = [item for item in body["locations"] if item["name"] == LOCATION]
    assert body["port_offset"] == 7 and location["port"] == location["registry_port"] + 7
