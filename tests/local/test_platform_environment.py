"""The environment is installed with compiled bytecode (`uv sync --compile-bytecode`).

Without it, and with PYTHONDONTWRITEBYTECODE set (as in many CI images), every code server, run
worker and CLI call compiles dagster from source again: about 1 s more per process here.
"""

import importlib
import importlib.util
from pathlib import Path

import pytest

HOT_MODULES = ["dagster", "dagster._grpc.server", "dagster._core.execution.api", "dagster_postgres", "sqlalchemy"]


@pytest.mark.parametrize("module_name", HOT_MODULES)
def test_hot_modules_have_compiled_bytecode(module_name: str) -> None:
    source = importlib.import_module(module_name).__file__
    assert source is not None
    cached = Path(importlib.util.cache_from_source(source))
    assert cached.is_file(), f"{cached} is missing: install with `make install` (uv sync --compile-bytecode)"
