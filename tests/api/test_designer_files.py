"""The Files routes: the location's own SQL, YAML and Python files listed, read and written; hostile paths and
bad files refused with every error listed and nothing changed on disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.designer_support import refused

LOCATION = "sql_sync"
PACKAGE = f"app/dagster_code/{LOCATION}/src/dagster_code/{LOCATION}"
DEFS_YAML = f"{PACKAGE}/defs/shop_sync/defs.yaml"
MODEL = f"dbt_models/models/staging/{LOCATION}/staging_shop_customers.sql"
SCHEMA = f"dbt_models/models/staging/{LOCATION}/schema.yml"
FILES = f"/api/designer/locations/{LOCATION}/files"


@pytest.fixture()
def restored(designer_home: Path) -> Iterator[Path]:
    """The copy's location files as they were, after a test that writes some."""
    originals = {path: (designer_home / path).read_text() for path in (MODEL, DEFS_YAML)}
    yield designer_home
    for path, text in originals.items():
        (designer_home / path).write_text(text)


def test_lists_only_the_locations_package_and_dbt_files(client: TestClient) -> None:
    body = client.get(FILES).json()
    paths = {item["path"]: item["kind"] for item in body["files"]}
    assert paths[DEFS_YAML] == "yaml" and paths[MODEL] == "sql" and paths[f"{PACKAGE}/__init__.py"] == "python"
    assert all(any(path.startswith(root + "/") for root in body["roots"]) for path in paths)
    assert not any("airbyte_sync" in path or "/tests/" in path for path in paths)


def test_reads_and_writes_a_model_atomically(client: TestClient, restored: Path) -> None:
    original = client.get(f"{FILES}/{MODEL}").json()["content"]
    assert "select" in original.lower()
    changed = original + "\n-- reviewed in the designer\n"
    saved = client.put(f"{FILES}/{MODEL}", json={"content": changed})
    assert saved.status_code == 200, saved.text
    assert (restored / MODEL).read_text() == changed
    assert not list((restored / MODEL).parent.glob(".*.tmp")), "no staging file left behind"


HOSTILE = [
    "..%2F..%2Fcode-locations.json",
    f"{PACKAGE}/..%2F..%2F..%2F..%2F..%2FMakefile",
    "%2Fetc%2Fpasswd",
    "Makefile",
    "code-locations.json",
    "app/dagster_code/airbyte_sync/src/dagster_code/airbyte_sync/__init__.py",
    f"{PACKAGE}/defs/.hidden.yaml",
    f"{PACKAGE}/defs/run.sh",
    f"{PACKAGE}%5Cdefs%5Cx.py",
]


@pytest.mark.parametrize("bad", HOSTILE)
def test_hostile_paths_are_refused_on_read_and_write(client: TestClient, unchanged: None, bad: str) -> None:
    assert refused(client.get(f"{FILES}/{bad}"), 422)[0]["path"] == ["path"]
    refused(client.put(f"{FILES}/{bad}", json={"content": "x: 1\n"}), 422)


def test_symlinks_are_neither_read_nor_written_through(client: TestClient, designer_home: Path) -> None:
    link = designer_home / PACKAGE / "defs" / "outside.yaml"
    link.symlink_to(designer_home / "code-locations.json")
    try:
        before = (designer_home / "code-locations.json").read_text()
        assert "symlink" in refused(client.get(f"{FILES}/{PACKAGE}/defs/outside.yaml"), 422)[0]["message"]
        refused(client.put(f"{FILES}/{PACKAGE}/defs/outside.yaml", json={"content": "x: 1\n"}), 422)
        assert (designer_home / "code-locations.json").read_text() == before
        assert f"{PACKAGE}/defs/outside.yaml" not in {item["path"] for item in client.get(FILES).json()["files"]}
    finally:
        link.unlink()


BAD_FILES = [
    (SCHEMA, "version: 2\nmodels:\n  - name: [unclosed\n", "invalid YAML"),
    (f"{PACKAGE}/helpers.py", "def broken(:\n    pass\n", "Python syntax error"),
    (
        DEFS_YAML,
        "type: data_manager.components.SqlTableSyncComponent\nattributes:\n  source: oracle\n  tables: [a]\n",
        "mysql",
    ),
    (MODEL, "select 1\n" + "-" * (300 * 1024), "larger than"),
]


@pytest.mark.parametrize(("path", "content", "needle"), BAD_FILES)
def test_bad_files_are_refused_and_leave_disk_unchanged(
    client: TestClient, unchanged: None, path: str, content: str, needle: str
) -> None:
    errors = refused(client.put(f"{FILES}/{path}", json={"content": content}), 422)
    assert any(needle in error["message"] for error in errors), errors
    assert all("Traceback" not in error["message"] for error in errors)


def test_python_asset_files_pass_dg_check_defs_before_they_are_written(client: TestClient, designer_home: Path) -> None:
    target = f"{PACKAGE}/defs/designer_assets.py"
    failing = "import dagster as dg\n\nraise RuntimeError('no warehouse today')\n"
    errors = refused(client.put(f"{FILES}/{target}", json={"content": failing}), 422)
    assert any("no warehouse today" in error["message"] for error in errors), errors
    assert not (designer_home / target).exists()

    good = "import dagster as dg\n\n\n@dg.asset(group_name='sql_sync')\ndef designer_note() -> None:\n    pass\n"
    try:
        saved = client.put(f"{FILES}/{target}", json={"content": good})
        assert saved.status_code == 200, saved.text
        assert (designer_home / target).read_text() == good
    finally:
        (designer_home / target).unlink(missing_ok=True)


def test_oversized_bodies_and_unknown_locations(client: TestClient, unchanged: None) -> None:
    refused(client.put(f"{FILES}/{MODEL}", json={"content": "x" * (2 * 1024 * 1024)}), 413)
    refused(client.get("/api/designer/locations/nowhere/files"), 404)
    refused(client.get(f"{FILES}/{PACKAGE}/defs/missing.sql"), 404)
