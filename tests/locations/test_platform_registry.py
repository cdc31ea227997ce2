"""The registry model, its error messages and the generated workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from data_manager.errors import UserError
from data_manager.locations.registry import Registry, name_problem
from data_manager.locations.registry_store import parse_registry
from data_manager.locations.workspace_file import render_workspace
from platform_support import REPO_ROOT, run_cli

REGISTRY_PATH = Path("code-locations.json")


def registry_text(*locations: dict) -> str:
    return json.dumps({"code_locations": list(locations), "config": {"workspace_name": "w"}}, indent=2)


def location(name: str = "orders", port: int = 4266, **extra) -> dict:
    return {"name": name, "port": port, **extra}


def test_defaults_fill_module_host_and_metadata() -> None:
    registry = parse_registry(REGISTRY_PATH, registry_text(location()))
    entry = registry.code_locations[0]
    assert entry.module == "dagster_code.orders"
    assert entry.host == "data-manager"
    assert entry.enabled is True
    assert entry.metadata.version == "1.0.0"


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (location(port=5000), "code-locations.json: code_locations[0] ('orders').port: port 5000 is outside 4266-4299"),
        (location(name="Bad Name"), "code_locations[0] ('Bad Name').name: 'Bad Name' is not a valid name"),
        (location(name="platform"), "code_locations[0] ('platform').name: 'platform' is reserved"),
        (location(name="class"), "'class' is reserved"),
        (location(name="../x"), "'../x' is not a valid name"),
        (location(colour="red"), "code_locations[0] ('orders').colour: Extra inputs are not permitted"),
        ({"port": 4266}, "code_locations[0].name: Field required"),
    ],
)
def test_invalid_entries_name_file_entry_and_field(entry: dict, expected: str) -> None:
    with pytest.raises(UserError) as error:
        parse_registry(REGISTRY_PATH, registry_text(entry))
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def test_duplicate_names_and_ports_are_rejected() -> None:
    with pytest.raises(UserError, match="duplicate location name 'a'"):
        parse_registry(REGISTRY_PATH, registry_text(location("a", 4266), location("a", 4267)))
    with pytest.raises(UserError, match="port 4266 is used by both 'a' and 'b'"):
        parse_registry(REGISTRY_PATH, registry_text(location("a", 4266), location("b", 4266)))


def test_malformed_json_reports_line_and_column() -> None:
    with pytest.raises(UserError) as error:
        parse_registry(REGISTRY_PATH, '{\n  "code_locations": [\n    {"name": "a",}\n  ]\n}')
    assert str(error.value).startswith("code-locations.json:3:18: malformed JSON")


def test_next_free_port_skips_used_ports_and_fails_when_full() -> None:
    registry = Registry.model_validate({"code_locations": [location("a", 4266), location("b", 4268)]})
    assert registry.next_free_port() == 4267
    full = Registry.model_validate({"code_locations": [location(f"l{p}", p) for p in range(4266, 4300)]})
    with pytest.raises(ValueError, match="every port"):
        full.next_free_port()


def test_name_rules() -> None:
    assert name_problem("sales_2024") is None
    assert name_problem("2sales") is not None
    assert name_problem("") == "the name is empty"
    assert name_problem("a" * 63) is None and "longer than 63 characters" in name_problem("a" * 64)


def test_workspace_lists_enabled_locations_only_with_header() -> None:
    registry = parse_registry(
        REGISTRY_PATH, registry_text(location("a", 4266), location("b", 4267, enabled=False), location("c", 4270))
    )
    text = render_workspace(registry)
    assert text.startswith("# GENERATED from code-locations.json")
    entries = [item["grpc_server"] for item in yaml.safe_load(text)["load_from"]]
    assert entries == [
        {"host": "data-manager", "port": 4266, "location_name": "a"},
        {"host": "data-manager", "port": 4270, "location_name": "c"},
    ]
    local = yaml.safe_load(render_workspace(registry, host_override="127.0.0.1"))
    assert {item["grpc_server"]["host"] for item in local["load_from"]} == {"127.0.0.1"}


def test_committed_generated_files_are_current() -> None:
    """`data-manager locations check` on the repository itself: workspace.yaml and .env.example are fresh."""
    result = run_cli(REPO_ROOT, "locations", "check")
    assert result.returncode == 0, result.stderr


def test_check_fails_when_workspace_is_stale(tmp_path: Path) -> None:
    from platform_support import make_home

    home = make_home(tmp_path)
    assert run_cli(home, "locations", "render").returncode == 0
    assert run_cli(home, "locations", "check").returncode == 0
    workspace = home / "platform" / "workspace.yaml"
    workspace.write_text(workspace.read_text() + "# hand edit\n")
    result = run_cli(home, "locations", "check")
    assert result.returncode == 1
    assert "platform/workspace.yaml is stale" in result.stderr


def test_the_registry_and_the_pipeline_models_import_no_dagster() -> None:
    """Every CLI command reads the registry: reading it must not cost Dagster's import (about half a second)."""
    import subprocess
    import sys

    probe = (
        "import sys, data_manager.locations.model, data_manager.locations.registry_store, "
        "data_manager.locations.workspace_file, data_manager.pipelines.models; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dagster', 'dagster_dbt', 'dagster_shared'}))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
