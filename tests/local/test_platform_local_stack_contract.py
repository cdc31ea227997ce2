"""The local stack's runtime contract: port offsets and what sample locations declare for `make dev`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from data_manager.errors import UserError
from data_manager.local.dev import platform_environment
from data_manager.local.sample_services import sample_declarations
from data_manager.locations.registry import CodeLocation, Registry
from data_manager.locations.registry_store import load_registry
from data_manager.paths import ProjectPaths
from data_manager.stack_runtime import served_registry, with_port_offset
from platform_support import REPO_ROOT, make_home


def test_port_offset_moves_every_served_port_and_leaves_the_registry_alone(tmp_path: Path, monkeypatch) -> None:
    home = make_home(tmp_path / "home", {"code_locations": [{"name": "a", "port": 4266}], "config": {}})
    monkeypatch.setenv("LOCAL_PORT_OFFSET", "1000")
    assert [loc.port for loc in served_registry(ProjectPaths(home)).code_locations] == [5266]
    assert load_registry(home / "code-locations.json").code_locations[0].port == 4266
    registry = Registry(code_locations=[CodeLocation(name="b", port=4270)])
    assert with_port_offset(registry, 0) is registry


def test_the_samples_declare_their_seeding_and_services(monkeypatch) -> None:
    monkeypatch.setenv("SAMPLE_API_PORT", "18099")
    paths = ProjectPaths(REPO_ROOT)
    declared = sample_declarations(paths, load_registry(paths.registry).enabled)
    [(title, seed)] = declared.prepare
    assert "MySQL" in title and seed[0] == sys.executable
    assert declared.services["sample-api"][0] == sys.executable and declared.services["sample-api"][-1] == "18099"
    dev_source = (REPO_ROOT / "app/data_manager/local/dev.py").read_text()
    assert "sql_sync" not in dev_source and "sample_api" not in dev_source


def test_a_bad_declaration_is_one_line(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home", {"code_locations": [{"name": "a", "port": 4266}], "config": {}})
    (home / "app/dagster_code/a").mkdir()
    (home / "app/dagster_code/a/local_dev.yaml").write_text("services: [oops]\n")
    paths = ProjectPaths(home)
    with pytest.raises(UserError, match=r"local_dev\.yaml is not valid"):
        sample_declarations(paths, load_registry(paths.registry).enabled)


def test_platform_environment_points_every_role_at_this_project(tmp_path: Path) -> None:
    paths = ProjectPaths(make_home(tmp_path / "home"))
    environment = platform_environment(paths, {"POSTGRES_PORT": "6000"})
    assert environment["POSTGRES_PORT"] == "6000" and environment["MAX_CONCURRENT_RUNS"] == "4"
    assert environment["DATA_PLATFORM_HOME"] == str(paths.home)
    assert environment["DAGSTER_HOME"] == str(paths.data_dir / "dagster_home")


def test_control_never_imports_the_local_stack() -> None:
    for path in (REPO_ROOT / "app/data_manager/control").glob("*.py"):
        assert "data_manager.local" not in path.read_text(), path


def test_backoff_doubles_to_its_cap_and_resets_after_a_stable_minute() -> None:
    from data_manager.process_groups import Backoff

    backoff = Backoff()
    assert [backoff.next_delay() for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    backoff.note_running(started_at=0, now=30)
    assert backoff.delay_s == 30
    backoff.note_running(started_at=0, now=61)
    assert backoff.next_delay() == 1
