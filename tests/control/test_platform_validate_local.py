"""`validate` checks the Postgres the platform uses (the embedded one unless POSTGRES_HOST is set).

With nothing running it still imports and counts every location and reports the database and
gRPC as "not running" (exit 0); a configured database that does not answer is an error.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from data_manager.control.health import wait_until_serving
from data_manager.local.embedded_db import EmbeddedPostgres
from data_manager.process_groups import free_port, stop_group
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
    # "not running", or, with another checkout's `make dev` on the port, "not running (port N serves ...)"
    assert location["counts"]["assets"] == 1 and location["grpc"].startswith("not running") and location["ok"]


def _free_location_port() -> int:
    import socket

    from data_manager.locations.registry import PORT_RANGE

    for port in PORT_RANGE:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise AssertionError(f"no free port in {PORT_RANGE}")


def test_validate_with_another_platform_on_the_port_says_ours_is_not_running(tmp_path: Path) -> None:
    """A second checkout's code server on the location's port is not ours: "not running", naming what serves."""
    port = _free_location_port()
    ours, theirs = make_home(tmp_path / "ours"), make_home(tmp_path / "theirs")
    for home in (ours, theirs):
        assert run_cli(home, "locations", "add", "z", "--port", str(port)).returncode == 0
    server = subprocess.Popen(
        [sys.executable, "-m", "dagster", "api", "grpc", "-m", "dagster_code.z", "-h", "127.0.0.1", "-p", str(port),
         "-d", str(theirs / "app")],
        cwd=theirs / "app", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_serving("127.0.0.1", port, timeout_s=120, process=server)
        env = {**NOT_CONFIGURED, "EMBEDDED_POSTGRES_PORT": str(free_port())}
        result = run_cli(ours, "validate", "z", "--json", env=env)
        assert result.returncode == 0, result.stderr
        [location] = json.loads(result.stdout)["locations"]
        assert location["grpc"] == f"not running (port {port} serves dagster_code.z from {(theirs / 'app').resolve()})"
        assert location["ok"]
    finally:
        stop_group(server, grace_s=10)  # a loaded machine once kept it running past terminate() + 30 s


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
