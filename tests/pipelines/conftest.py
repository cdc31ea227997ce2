"""Fixtures of the universal pipelines tests: a migrated platform database."""

from __future__ import annotations

import pytest

from data_manager.pipelines.migrate import upgrade
from data_manager.pipelines.store import PipelineStore
from data_manager.settings import PostgresSettings
from pipelines.network_guard import network  # noqa: F401 - the fixture, for every test of this folder


@pytest.fixture
def store(pg_env: PostgresSettings) -> PipelineStore:
    """The platform tables migrated into a fresh database (also exported as POSTGRES_*)."""
    upgrade(pg_env)
    return PipelineStore(pg_env)


@pytest.fixture(autouse=True)
def artifact_root(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Artifact paths may lie in a folder of the test's own (never the checkout's .data/artifacts)."""
    root = tmp_path_factory.mktemp("artifacts")
    monkeypatch.setenv("ARTIFACT_ROOTS", str(root))
    return root
