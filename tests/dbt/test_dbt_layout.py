"""Pure helpers of the dbt integration: repository root discovery and manifest retargeting."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_manager.dbt.layout import find_repo_root
from data_manager.dbt.project import retarget_manifest
from data_manager.errors import UserError
from dbt_support import REPO_ROOT


def test_repo_root_from_the_package_or_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATA_PLATFORM_HOME", raising=False)
    assert find_repo_root() == REPO_ROOT
    (tmp_path / "dbt_models").mkdir()
    monkeypatch.setenv("DATA_PLATFORM_HOME", str(tmp_path))
    assert find_repo_root() == tmp_path
    monkeypatch.setenv("DATA_PLATFORM_HOME", str(tmp_path / "nowhere"))
    with pytest.raises(UserError, match="does not contain a dbt_models/ folder"):
        find_repo_root()


def test_retarget_manifest_moves_relations_to_the_run_database() -> None:
    manifest = {
        "nodes": {
            "model.p.a": {"database": "built", "relation_name": '"built"."staging"."a"'},
            "test.p.t": {"database": "built", "relation_name": None},
        },
        "sources": {"source.p.s.r": {"database": "built", "relation_name": '"built"."cache"."r"'}},
        "parent_map": {},
    }
    moved = retarget_manifest(manifest, "run_db")
    assert moved["nodes"]["model.p.a"]["relation_name"] == '"run_db"."staging"."a"'
    assert moved["nodes"]["test.p.t"] == {"database": "run_db", "relation_name": None}
    assert moved["sources"]["source.p.s.r"]["relation_name"] == '"run_db"."cache"."r"'
    assert manifest["nodes"]["model.p.a"]["relation_name"] == '"built"."staging"."a"', "input must stay unchanged"
    assert retarget_manifest(manifest, "built")["nodes"]["model.p.a"] is manifest["nodes"]["model.p.a"]
