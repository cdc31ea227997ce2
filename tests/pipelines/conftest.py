"""Fixtures of the universal pipelines tests: a migrated platform database."""

from __future__ import annotations

import pytest

from data_manager.pipelines.migrate import upgrade
from data_manager.pipelines.store import PipelineStore
from data_manager.settings import PostgresSettings


@pytest.fixture
def store(pg_env: PostgresSettings) -> PipelineStore:
    """The platform tables migrated into a fresh database (also exported as POSTGRES_*)."""
    upgrade(pg_env)
    return PipelineStore(pg_env)
