"""Fixtures for designer tests: one temporary repository copy per session, served by a real app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.designer_support import GIT_IDENTITY, copy_repository
from data_manager.api.app import create_app
from data_manager.designer.catalog import catalog_for
from data_manager.paths import ProjectPaths


@pytest.fixture(scope="session")
def designer_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the repository as DATA_PLATFORM_HOME, with a warm component catalog."""
    home = copy_repository(tmp_path_factory.mktemp("designer-repo"))
    saved = {key: os.environ.get(key) for key in ("DATA_PLATFORM_HOME", "PLATFORM_API_TOKEN", *GIT_IDENTITY)}
    os.environ.update(DATA_PLATFORM_HOME=str(home), **GIT_IDENTITY)
    os.environ.pop("PLATFORM_API_TOKEN", None)
    try:
        catalog_for(ProjectPaths(home)).types()
        yield home
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def client(designer_home: Path) -> TestClient:
    return TestClient(create_app(token=""), raise_server_exceptions=False)
