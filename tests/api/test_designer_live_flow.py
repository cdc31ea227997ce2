"""Designer edits reach the running platform: on a real local stack (one location, MariaDB as its source), a
sync added through the API is reloaded automatically and its asset runs to SUCCESS at once; the live state
says succeeded with its last materialization, a failing asset says which step failed and why, a location that
fails to load after a reload says so, and the locations listing gives the effective ports. One stack for the
module."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pymysql
import pytest
from fastapi.testclient import TestClient

from conftest import TEST_MYSQL, serving_home
from data_manager.api.app import create_app
from data_manager.locations.model import Location
from data_manager.paths import ProjectPaths
from data_manager.process_groups import free_port
from platform_support import make_home, poll, run_cli
from stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(95)]
TABLE_SYNC = "data_manager.components.SqlTableSyncComponent"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}
FAILING_ASSET = """import dagster as dg


@dg.asset(key=["live", "always_fails"])
def always_fails() -> None:
    raise RuntimeError("the warehouse is closed today")
"""


@dataclass
class Live:
    stack: LocalStack
    home: Path
    name: str
    mysql_db: str


@pytest.fixture(scope="module")
def live(postgres_server, mariadb_server, designer_home: Path, tmp_path_factory) -> Iterator[Live]:
    """A home with one empty location (the component catalog warm), served by a local stack, and a MariaDB
    database with an `orders` table for it to sync."""
    name = f"live_{uuid.uuid4().hex[:6]}"
    home = make_home(tmp_path_factory.mktemp("designer_live"))
    for prepared in [designer_home / "uv.lock", *designer_home.glob(".data/cache/designer/catalog-*.json")]:
        target = home / prepared.relative_to(designer_home)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(prepared.read_bytes())
    quiet = {"DAGSTER_WEBSERVER_URL": f"http://127.0.0.1:{free_port()}"}  # no platform to notify yet
    assert run_cli(home, "locations", "add", name, env=quiet).returncode == 0
    mysql_db = f"test_live_{uuid.uuid4().hex[:8]}"
    connection = pymysql.connect(host=TEST_MYSQL.host, port=TEST_MYSQL.port, user=TEST_MYSQL.user,
                                 password=TEST_MYSQL.password, autocommit=True)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{mysql_db}`")
        cursor.execute(f"CREATE TABLE `{mysql_db}`.orders (id INT PRIMARY KEY, amount INT)")
        cursor.execute(f"INSERT INTO `{mysql_db}`.orders VALUES (1, 10), (2, 20), (3, 30)")
    mysql_env = {
        "MYSQL_HOST": TEST_MYSQL.host, "MYSQL_PORT": str(TEST_MYSQL.port), "MYSQL_USER": TEST_MYSQL.user,
        "MYSQL_PASSWORD": TEST_MYSQL.password, "MYSQL_DB": mysql_db,
    }  # fmt: skip
    try:
        with serving_home(postgres_server, home, [name], "test_designer_live", mysql_env) as stack:
            yield Live(stack, home, name, mysql_db)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{mysql_db}`")
        connection.close()


@pytest.fixture
def api(live: Live, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    for key in ("DATA_PLATFORM_HOME", "DAGSTER_WEBSERVER_URL", "LOCAL_PORT_OFFSET", "DESIGNER_AUTO_RELOAD"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DATA_PLATFORM_HOME", str(live.home))
    monkeypatch.setenv("DAGSTER_WEBSERVER_URL", live.stack.url)
    monkeypatch.setenv("LOCAL_PORT_OFFSET", live.stack.env["LOCAL_PORT_OFFSET"])
    monkeypatch.delenv("PLATFORM_API_TOKEN", raising=False)
    return TestClient(create_app(token=""), raise_server_exceptions=False)


def _finished(api: TestClient, name: str, run_id: str) -> dict:
    return poll(
        lambda: api.get(f"/api/designer/locations/{name}/runs/{run_id}").json(),
        lambda body: body.get("status") in FINISHED, f"run {run_id} not finished", 300, interval_s=1,
    )  # fmt: skip


def test_a_just_added_sync_runs_at_once_and_shows_its_status(live: Live, api: TestClient) -> None:
    name, base = live.name, f"/api/designer/locations/{live.name}"
    (listed,) = [loc for loc in api.get("/api/designer/locations").json()["locations"] if loc["name"] == name]
    assert (
        listed["port"] == live.stack.port_of(name) == listed["registry_port"] + int(live.stack.env["LOCAL_PORT_OFFSET"])
    )
    assert listed["status"] == "loaded"

    sync = {"source": "mysql", "tables": ["orders"], "table_prefix": "live_"}
    created = api.post(f"{base}/components", json={"type": TABLE_SYNC, "path": "orders_sync", "attributes": sync})
    assert created.status_code == 201, created.text
    assert created.json()["reload"]["status"] == "reloading"
    key = "pyairbyte_cache/live_orders"
    launched = api.post(f"{base}/run", json={"assets": [key]})  # waits for the reload: the asset is known at once
    assert launched.status_code == 201, launched.text
    assert api.get(f"{base}/reload").json()["status"] == "loaded"
    run_id = launched.json()["run_id"]
    assert _finished(api, name, run_id)["status"] == "SUCCESS", live.stack.log_tail()

    state = api.get(f"{base}/state").json()
    assert state["served"] and state["pipeline_job"] == f"{name}_pipeline" and state["reload"]["status"] == "loaded"
    assets = {asset["key"]: asset for asset in state["assets"]}
    assert assets[key]["status"] == "succeeded" and assets[key]["why"] is None, assets[key]
    assert assets[key]["last_materialization"]["run_id"] == run_id and assets[key]["run_url"].endswith(run_id)

    pipeline = api.post(f"{base}/run")  # the location's own job, found on the platform
    assert pipeline.status_code == 201 and pipeline.json()["job"] == f"{name}_pipeline", pipeline.text
    assert _finished(api, name, pipeline.json()["run_id"])["status"] == "SUCCESS", live.stack.log_tail()
    after = {asset["key"]: asset for asset in api.get(f"{base}/state").json()["assets"]}
    for asset in after.values():  # right after a full run: fresh, or stale with Dagster's reason
        assert asset["status"] in ("succeeded", "stale") and (asset["status"] == "succeeded" or asset["why"]), asset
    unknown = api.post(f"{base}/run", json={"job": "no_such_job"})
    assert unknown.status_code == 422 and "its jobs:" in unknown.json()["errors"][0]["message"]


def test_a_failing_asset_says_which_step_failed_and_why(live: Live, api: TestClient) -> None:
    name, base = live.name, f"/api/designer/locations/{live.name}"
    location = Location.named(name, ProjectPaths(live.home))
    relative = (location.defs_dir / "failing.py").relative_to(live.home).as_posix()
    written = api.put(f"{base}/files/{relative}", json={"content": FAILING_ASSET})
    assert written.status_code == 200, written.text
    launched = api.post(f"{base}/run", json={"assets": ["live/always_fails"]})
    assert launched.status_code == 201, launched.text
    assert _finished(api, name, launched.json()["run_id"])["status"] == "FAILURE"
    asset = poll(  # the canvas polls every 1-2 s: a finished run shows on it within seconds
        lambda: next(a for a in api.get(f"{base}/state").json()["assets"] if a["key"] == "live/always_fails"),
        lambda found: found["status"] != "running", "the failed run still shows running", 15, interval_s=1,
    )  # fmt: skip
    assert asset["status"] == "failed" and asset["error"]["step"] == "live__always_fails", asset
    assert "the warehouse is closed today" in asset["error"]["message"]
    assert asset["why"] == "RuntimeError: the warehouse is closed today"

    # a location broken outside the designer: the reload says it failed, and why
    broken = location.defs_dir / "broken.py"
    broken.write_text("raise RuntimeError('edited by hand, badly')\n")
    try:
        failed = api.post(f"{base}/reload", json={"wait": True}).json()
        assert failed["status"] == "failed" and "edited by hand, badly" in failed["error"], failed
    finally:
        broken.unlink()
    assert api.post(f"{base}/reload", json={"wait": True}).json()["status"] == "loaded"
