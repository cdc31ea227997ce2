"""Fixtures for the airbyte tests: a connectors folder, a paged HTTP API, loopback servers.

Connector installs (PyAirbyte venvs) go to AIRBYTE_INSTALL_DIR, by default `.data/airbyte` in the
repo, so repeated runs reuse `source-faker` instead of reinstalling it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from ingestion.airbyte.loopback import LoopbackServer, serve

FIXTURES = Path(__file__).parent / "fixtures"
API_KEY = "test-key-7f3a9c"


ITEMS = [{"id": i, "name": f"item {i}", "price": round(i * 1.5, 2)} for i in range(1, 8)]


@pytest.fixture
def sample_api() -> Iterator[LoopbackServer]:
    """`GET /items?page=N&per_page=M` with an X-Api-Key header: 7 items, so 3 pages of 3."""

    def handle(request: BaseHTTPRequestHandler, state: LoopbackServer) -> tuple[int, object]:
        if request.headers.get("X-Api-Key") != API_KEY:
            return 401, {"error": "bad api key"}
        parsed = urlparse(request.path)
        if parsed.path != "/items":
            return 404, {"error": "not found"}
        query = parse_qs(parsed.query)
        page = int(query.get("page", ["1"])[0])
        per_page = int(query.get("per_page", ["3"])[0])
        return 200, {"data": ITEMS[(page - 1) * per_page : page * per_page]}

    yield from serve(handle)


@pytest.fixture
def connectors_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the fixture connectors, pointed to by EXTERNAL_CONNECTORS_DIR."""
    target = tmp_path / "external-connectors"
    shutil.copytree(FIXTURES / "connectors", target)
    monkeypatch.setenv("EXTERNAL_CONNECTORS_DIR", str(target))
    monkeypatch.setenv("PYAIRBYTE_CACHES_FILE", str(target / "_caches.yaml"))
    return target


@pytest.fixture
def sample_api_env(sample_api: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> LoopbackServer:
    monkeypatch.setenv("TEST_SAMPLE_API_URL", sample_api.url)
    monkeypatch.setenv("TEST_SAMPLE_API_KEY", API_KEY)
    return sample_api
