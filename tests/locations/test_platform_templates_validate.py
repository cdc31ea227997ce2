"""`make add-code-location TEMPLATE=...` then `make validate`: every template's location loads at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from data_manager.settings import PostgresSettings
from platform_support import REPO_ROOT, run_cli

pytestmark = pytest.mark.e2e


def copy_of_repository(target: Path) -> Path:
    """The registry, platform, dbt project and connectors of the repository, with its sample locations."""
    for name in ("code-locations.json", ".env.example"):
        shutil.copyfile(REPO_ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "target", "logs", ".data")
    for folder in ("platform", "dbt_models", "external-connectors", "app/dagster_code"):
        shutil.copytree(REPO_ROOT / folder, target / folder, ignore=ignore)
    return target


@pytest.mark.parametrize("template", ["empty", "airbyte", "sql", "dbt"])
def test_new_location_from_template_passes_validate(
    template: str, tmp_path: Path, postgres_server: PostgresSettings
) -> None:
    home = copy_of_repository(tmp_path)
    name = f"new_{template}"
    env = {"POSTGRES_HOST": postgres_server.host, "POSTGRES_PORT": str(postgres_server.port),
           "POSTGRES_USER": postgres_server.user, "POSTGRES_DB": "postgres"}  # fmt: skip
    added = run_cli(home, "locations", "add", name, "--template", template, env=env)
    assert added.returncode == 0, added.stderr
    if template != "empty":
        assert "prepared the dbt manifest" in added.stderr
        stubs = [home / "app/dagster_code" / name, home / "dbt_models/models/staging" / name]
        assert "TODO" in "".join(p.read_text() for folder in stubs for p in folder.rglob("*") if p.is_file())
    validated = run_cli(home, "validate", name, "--json", env=env)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert '"ok": true' in validated.stdout
    assert run_cli(home, "locations", "check").returncode == 0
