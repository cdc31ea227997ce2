"""Fixtures for designer tests: one temporary repository copy per session, served by a real app.

The environment points at the copy only inside each test (monkeypatch), never for the rest of the suite.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.designer_support import GIT_IDENTITY, copy_repository
from data_manager.api.app import create_app
from data_manager.designer.catalog import catalog_for
from data_manager.designer.dg import forks as dg_forks
from data_manager.paths import ProjectPaths
from data_manager.process_groups import free_port
from platform_support import tree_digest


@pytest.fixture(scope="session", autouse=True)
def warm_dg() -> None:
    """dg in warm forks, as `data-manager api` runs it."""
    dg_forks.enable()


@pytest.fixture(scope="session")
def designer_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository with a warm component catalog."""
    home = copy_repository(tmp_path_factory.mktemp("designer-repo"))
    catalog_for(ProjectPaths(home)).types()
    return home


@pytest.fixture()
def designer_env(designer_home: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """DATA_PLATFORM_HOME at the copy, a git identity, and no webserver (nothing running here is reloaded)."""
    values = {
        "DATA_PLATFORM_HOME": str(designer_home),
        "DAGSTER_WEBSERVER_URL": f"http://127.0.0.1:{free_port()}",
        **GIT_IDENTITY,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("PLATFORM_API_TOKEN", raising=False)
    return values


@pytest.fixture()
def client(designer_env: dict[str, str]) -> TestClient:
    return TestClient(create_app(token=""), raise_server_exceptions=False)


@pytest.fixture()
def unchanged(designer_home: Path):
    """Fails the test when anything in the repository copy changed (a refused request must change nothing)."""
    before = tree_digest(designer_home)
    yield
    assert tree_digest(designer_home) == before, "a refused request changed files"
