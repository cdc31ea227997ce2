"""The platform API serves the built designer at /designer/, and says how to build it when it is not built."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from data_manager.api.app import create_app


def _client(home: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.setenv("DATA_PLATFORM_HOME", str(home))
    return TestClient(create_app(token=""), raise_server_exceptions=False)


def test_built_designer_is_served_at_designer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "designer" / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Designer</title>")
    (dist / "assets" / "index.js").write_text("console.log('designer')")
    client = _client(tmp_path, monkeypatch)
    page = client.get("/designer/")
    assert page.status_code == 200 and "<title>Designer</title>" in page.text
    assert client.get("/designer/assets/index.js").text == "console.log('designer')"
    assert client.get("/api/health").json() == {"status": "ok"}


def test_missing_build_is_a_404_naming_the_make_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    response = _client(tmp_path, monkeypatch).get("/designer/")
    assert response.status_code == 404
    assert "make designer-build" in response.json()["errors"][0]["message"]
