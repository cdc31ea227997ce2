"""Code servers stay light: a location using AirbyteSyncComponent loads without airbyte, pandas or DB drivers,
and its code server stays within 250 MB RSS, children included, in both serving modes.

Load time is a benchmark, not a test: `make bench-code-server`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from data_manager.control import forked_run_workers
from data_manager.control.health import wait_until_serving
from data_manager.errors import UserError
from data_manager.process_groups import free_port, stop_group

pytestmark = pytest.mark.e2e

EXAMPLE_LOCATION = Path(__file__).parent / "fixtures" / "example_location"
MODULE = "airbyte_example_location"
HEAVY = ("airbyte", "pandas", "psycopg", "psycopg2", "pymysql", "pyodbc", "sqlalchemy", "dagster_dbt", "dbt")
MAX_RSS_MB = 250


@pytest.fixture
def location_env(connectors_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(EXAMPLE_LOCATION), env.get("PYTHONPATH")]))
    return env


def start_and_measure(command: list[str], env: dict[str, str]) -> float:
    """Start a code server; once it serves the location, return the RSS MB of its process tree."""
    port = free_port()
    process = subprocess.Popen(
        [*command, "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # stopped as a group: the proxy's `dagster api grpc` child too
    )
    try:
        try:
            wait_until_serving("127.0.0.1", port, timeout_s=120, process=process)
        except UserError as exc:
            stop_group(process, grace_s=5)
            pytest.fail(f"{exc}: {process.communicate()[1].decode()[-2000:]}")
        root = psutil.Process(process.pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20
    finally:
        stop_group(process, grace_s=30)


def test_airbyte_definitions_import_no_heavy_modules(location_env: dict[str, str]) -> None:
    probe = (
        "import sys, importlib; m = importlib.import_module('airbyte_example_location'); d = m.definitions();"
        "d.get_repository_def().get_all_jobs();"
        f"print(sorted({{n.split('.')[0] for n in sys.modules}} & set({HEAVY!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=location_env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_airbyte_code_server_stays_small(location_env: dict[str, str]) -> None:
    dagster = forked_run_workers.command()  # as the supervisor starts it: no forkserver until the first run
    direct_rss = start_and_measure([*dagster, "api", "grpc", "-m", MODULE], location_env)
    proxy_rss = start_and_measure([*dagster, "code-server", "start", "-m", MODULE], location_env)
    print(f"\nlight code server RSS: `dagster api grpc` {direct_rss:.0f} MB, `code-server start` {proxy_rss:.0f} MB")
    assert direct_rss <= MAX_RSS_MB
    assert proxy_rss <= MAX_RSS_MB
