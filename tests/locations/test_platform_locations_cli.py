"""`data-manager locations add/remove`: one step, all or nothing, one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from data_manager.locations.model import Location
from data_manager.paths import ProjectPaths
from platform_support import make_home, run_cli, tree_digest


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return make_home(tmp_path / "home")


def registered(home: Path) -> dict[str, int]:
    data = json.loads((home / "code-locations.json").read_text())
    return {entry["name"]: entry["port"] for entry in data["code_locations"]}


def workspace_ports(home: Path) -> dict[str, int]:
    data = yaml.safe_load((home / "platform" / "workspace.yaml").read_text())
    return {item["grpc_server"]["location_name"]: item["grpc_server"]["port"] for item in data["load_from"] or []}


def test_add_scaffolds_registers_next_free_port_and_regenerates_workspace(home: Path) -> None:
    assert run_cli(home, "locations", "add", "orders").returncode == 0
    result = run_cli(home, "locations", "add", "billing", "--port", "4280")
    assert result.returncode == 0, result.stderr
    assert run_cli(home, "locations", "add", "crm").returncode == 0

    assert registered(home) == {"orders": 4266, "billing": 4280, "crm": 4267}
    assert workspace_ports(home) == registered(home)
    orders = Location.named("orders", ProjectPaths(home))
    assert (orders.package_dir / "__init__.py").is_file()
    assert (orders.tests_dir / "test_location.py").is_file()
    assert "{{name}}" not in (orders.defs_dir / "assets.py").read_text()
    assert run_cli(home, "locations", "check").returncode == 0


def test_scaffolded_location_loads_and_its_own_test_passes(home: Path) -> None:
    assert run_cli(home, "locations", "add", "orders").returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "dagster_code/orders/tests"],
        cwd=home / "app", capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "../x"], "invalid location name: '../x' is not a valid name"),
        (["add", "Bad Name"], "invalid location name: 'Bad Name' is not a valid name"),
        (["add", "platform"], "invalid location name: 'platform' is reserved"),
        (["add", "orders"], "location 'orders' is already registered"),
        (["add", "crm", "--port", "4266"], "port 4266 is already used by location 'orders'"),
        (["add", "crm", "--port", "80"], "port 80 is outside 4266-4299"),
        (["add", "crm", "--template", "nope"], "unknown template 'nope'"),
        (["remove", "nope"], "unknown location 'nope'; registered: orders"),
        (["remove", "../x"], "invalid location name"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(home: Path, args: list[str], message: str) -> None:
    assert run_cli(home, "locations", "add", "orders").returncode == 0
    before = tree_digest(home)
    result = run_cli(home, "locations", *args)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert tree_digest(home) == before


def test_missing_and_malformed_registry(tmp_path: Path) -> None:
    missing = run_cli(tmp_path, "locations", "add", "orders")
    assert missing.returncode == 2
    assert "registry not found" in missing.stderr
    (tmp_path / "code-locations.json").write_text('{"code_locations": [\n  {"name": }\n]}')
    before = tree_digest(tmp_path)
    malformed = run_cli(tmp_path, "locations", "add", "orders")
    assert malformed.returncode == 2
    assert malformed.stderr.strip() == "error: code-locations.json:2:12: malformed JSON: Expecting value"
    assert tree_digest(tmp_path) == before


def test_reload_of_unknown_location_is_exit_2(home: Path) -> None:
    result = run_cli(home, "reload", "nope")
    assert result.returncode == 2
    assert "unknown location 'nope'" in result.stderr


def test_add_is_atomic_when_a_write_fails_half_way(home: Path) -> None:
    """The workspace cannot be written (a directory is in the way): the package and registry stay untouched."""
    assert run_cli(home, "locations", "add", "orders").returncode == 0
    workspace = home / "platform" / "workspace.yaml"
    workspace.unlink()
    workspace.mkdir()
    before = tree_digest(home)
    result = run_cli(home, "locations", "add", "crm")
    assert result.returncode != 0
    assert tree_digest(home) == before
    assert not (home / "app/dagster_code/crm").exists()
    assert list(home.rglob(".*staged*")) == []


def test_remove_deletes_package_pycache_entry_and_workspace_line(home: Path) -> None:
    assert run_cli(home, "locations", "add", "orders").returncode == 0
    assert run_cli(home, "locations", "add", "crm").returncode == 0
    pycache = home / "app/dagster_code/orders/__pycache__"
    pycache.mkdir()
    (pycache / "assets.cpython-311.pyc").write_bytes(b"stale")
    result = run_cli(home, "locations", "remove", "orders")
    assert result.returncode == 0, result.stderr
    assert not (home / "app/dagster_code/orders").exists()
    assert registered(home) == {"crm": 4267}
    assert workspace_ports(home) == {"crm": 4267}


def test_purge_needs_confirmation_without_a_terminal(home: Path) -> None:
    assert run_cli(home, "locations", "add", "orders").returncode == 0
    before = tree_digest(home)
    result = run_cli(home, "locations", "remove", "orders", "--purge")
    assert result.returncode == 2
    assert "pass --yes" in result.stderr
    assert tree_digest(home) == before
