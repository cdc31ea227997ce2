"""Pure helpers of the dbt integration: finding the dbt project and manifest retargeting."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from data_manager.dbt.layout import dbt_project_dir
from data_manager.dbt.project import retarget_manifest
from data_manager.errors import UserError
from dbt_support import REPO_ROOT


def test_dbt_project_found_in_the_project_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATA_PLATFORM_HOME", raising=False)
    monkeypatch.chdir(REPO_ROOT / "app")
    assert dbt_project_dir() == REPO_ROOT / "dbt_models"
    (tmp_path / "dbt_models").mkdir()
    monkeypatch.setenv("DATA_PLATFORM_HOME", str(tmp_path))
    assert dbt_project_dir() == tmp_path / "dbt_models"
    monkeypatch.setenv("DATA_PLATFORM_HOME", str(tmp_path / "nowhere"))
    with pytest.raises(UserError, match=r"no dbt_models/ folder at .*nowhere"):
        dbt_project_dir()


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


def test_dbt_executable_is_the_one_of_this_environment() -> None:
    from data_manager.dbt.project import dbt_executable

    beside_interpreter = Path(sys.executable).with_name("dbt")
    assert beside_interpreter.is_file(), "dbt-core is installed in the project environment"
    assert dbt_executable() == str(beside_interpreter)
