"""Fixtures for the SQL table-sync tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def mysql_url(mysql_database: Any) -> str:
    return mysql_database.url()
