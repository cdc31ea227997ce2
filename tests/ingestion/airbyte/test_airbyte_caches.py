"""Named caches: `default` from the environment, others from the caches file."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_manager.errors import UserError
from data_manager.ingestion.airbyte.caches import cache_names, cache_spec


@pytest.fixture
def caches_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "_caches.yaml"
    monkeypatch.setenv("PYAIRBYTE_CACHES_FILE", str(path))
    monkeypatch.setenv("POSTGRES_HOST", "db.example")
    monkeypatch.setenv("POSTGRES_DB", "dataplatform")
    monkeypatch.setenv("POSTGRES_PASSWORD", "main-pw")
    monkeypatch.setenv("CACHE_SCHEMA", "pyairbyte_cache")
    return path


def test_airbyte_default_cache_comes_from_env(caches_file: Path) -> None:
    spec = cache_spec()
    assert (spec.name, spec.schema, spec.settings.host, spec.settings.database) == (
        "default",
        "pyairbyte_cache",
        "db.example",
        "dataplatform",
    )
    assert cache_names() == ["default"]
    assert "main-pw" not in spec.describe()


def test_airbyte_regional_cache_from_file(caches_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    caches_file.write_text(
        "caches:\n"
        "  sweden:\n    schema: pyairbyte_cache_se\n    database: dataplatform_se\n    password_env: SE_PW\n"
        "  other_schema:\n    schema: raw_other\n"
    )
    monkeypatch.setenv("SE_PW", "se-pw")
    sweden = cache_spec("sweden")
    assert (sweden.schema, sweden.settings.database, sweden.settings.host, sweden.settings.password) == (
        "pyairbyte_cache_se",
        "dataplatform_se",
        "db.example",
        "se-pw",
    )
    assert cache_spec("other_schema").settings.database == "dataplatform"
    assert cache_names() == ["default", "other_schema", "sweden"]


def test_airbyte_cache_errors_are_clear(caches_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UserError, match="unknown cache 'nowhere': known caches are default"):
        cache_spec("nowhere")
    caches_file.write_text("caches:\n  se:\n    database: x\n")
    with pytest.raises(UserError, match=r"cache 'se' in .*: field `schema` is missing"):
        cache_spec("se")
    caches_file.write_text("caches:\n  se:\n    schema: s\n    password_env: NOT_SET_ANYWHERE_PW\n")
    monkeypatch.delenv("NOT_SET_ANYWHERE_PW", raising=False)
    with pytest.raises(UserError, match="needs environment variable NOT_SET_ANYWHERE_PW, which is not set"):
        cache_spec("se")
    caches_file.write_text("caches:\n  se:\n    schema: Bad-Schema\n")
    with pytest.raises(UserError, match="not a valid lower-case Postgres identifier"):
        cache_spec("se")
