"""`validate` checks the Postgres the platform uses (the embedded one unless POSTGRES_HOST is set).

With nothing running it still imports and counts every location and reports the database and
gRPC as "not running" (exit 0); a configured database that does not answer is an error.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from data_manager.local.embedded_db import EmbeddedPostgres
from data_manager.process_groups import free_port
from platform_support import make_home, run_cli

NOT_CONFIGURED = {"POSTGRES_HOST": "", "POSTGRES_PORT": "", "POSTGRES_DB": ""}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = make_home(tmp_path_factory.mktemp("validate") / "home")
    added = run_cli(home, "locations", "add", "x")
    assert added.returncode == 0, added.stderr
    return home


def test_validate_with_nothing_running_counts_the_code_and_exits_0(home: Path) -> None:
    env = {**NOT_CONFIGURED, "EMBEDDED_POSTGRES_PORT": str(free_port())}
    result = run_cli(home, "validate", "x", "--json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["postgres"].startswith("not running (embedded Postgres")
    [location] = report["locations"]
    assert location["counts"]["assets"] == 1 and location["grpc"] == "not running" and location["ok"]


def test_validate_fails_when_the_configured_database_does_not_answer(home: Path) -> None:
    env = {"POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": str(free_port())}
    result = run_cli(home, "validate", "x", env=env)
    assert result.returncode == 1
    assert "error: cannot connect to Postgres at postgresql://" in result.stderr


def test_validate_fails_for_an_import_error(home: Path, tmp_path: Path) -> None:
    broken = make_home(tmp_path / "broken")
    assert run_cli(broken, "locations", "add", "y").returncode == 0
    from data_manager.locations.model import Location
    from data_manager.paths import ProjectPaths

    (Location.named("y", ProjectPaths(broken)).defs_dir / "assets.py").write_text(
        "raise RuntimeError('broken on purpose')\n"
    )
    result = run_cli(broken, "validate", env={**NOT_CONFIGURED, "EMBEDDED_POSTGRES_PORT": str(free_port())})
    assert result.returncode == 1
    assert "error: location 'y': import failed: RuntimeError: broken on purpose" in result.stderr


@pytest.fixture
def embedded(home: Path) -> Iterator[EmbeddedPostgres]:
    """The embedded server as `make dev` leaves it: under the home's .data/, with the data database."""
    server = EmbeddedPostgres(home / ".data" / "postgres", free_port())
    server.start()
    try:
        with psycopg.connect(host="127.0.0.1", port=server.port, user="postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE dataplatform")
        yield server
    finally:
        server.stop()


def test_validate_checks_the_embedded_server_make_dev_runs(home: Path, embedded: EmbeddedPostgres) -> None:
    env = {**NOT_CONFIGURED, "EMBEDDED_POSTGRES_PORT": str(embedded.port)}
    result = run_cli(home, "validate", "x", env=env)
    assert result.returncode == 0, result.stderr
    assert (
        f"postgres: ok (embedded Postgres (started by `make dev`) at postgresql://postgres@127.0.0.1:{embedded.port}/dataplatform)"
        in result.stderr
    )


def test_add_validate_remove_with_nothing_running(tmp_path: Path) -> None:
    fresh = make_home(tmp_path / "fresh")
    env = {**NOT_CONFIGURED, "EMBEDDED_POSTGRES_PORT": str(free_port())}
    for command in (["locations", "add", "z"], ["validate", "z"], ["locations", "remove", "z", "--yes"]):
        result = run_cli(fresh, *command, env=env)
        assert result.returncode == 0, f"{command}: {result.stderr}"
