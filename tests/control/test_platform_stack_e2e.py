"""The local platform end to end: code servers, webserver and daemon on the machine's PostgreSQL.

One stack serves every test in this module (it takes ~30 s to start). The project home
is a temporary one holding two locations made from the `empty` template and one that
fails to import, so the tests never touch the repository's own locations.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from conftest import serving_home
from daglab.errors import DaglabError
from data_manager.control.health import check_server
from data_manager.locations.model import Location
from data_manager.paths import ProjectPaths
from platform_support import make_home, run_cli
from stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(230)]

SLOW_ASSET = """

@dg.asset(key_prefix="beta")
def slow_asset() -> None:
    import time

    time.sleep(600)


@dg.asset(key_prefix="beta", group_name="beta")
def paced_asset() -> None:
    import time

    time.sleep(15)
"""
SLOW_JOB = """
slow_job = dg.define_asset_job(name="slow_job", selection=[dg.AssetKey(["beta", "slow_asset"])], executor_def=dg.in_process_executor)
paced_job = dg.define_asset_job(name="paced_job", selection=[dg.AssetKey(["beta", "paced_asset"])], executor_def=dg.in_process_executor)
defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[slow_job, paced_job]))
"""


@pytest.fixture(scope="module")
def stack(postgres_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    home = make_home(tmp_path_factory.mktemp("e2e_home"))
    for name, port in (("alpha", 4290), ("beta", 4291), ("broken", 4292)):
        result = run_cli(home, "locations", "add", name, "--port", str(port))
        assert result.returncode == 0, result.stderr
    (Location.named("broken", ProjectPaths(home)).defs_dir / "assets.py").write_text(
        "raise RuntimeError('broken on purpose: 42')\n"
    )
    beta = Location.named("beta", ProjectPaths(home))
    beta_assets = beta.defs_dir / "assets.py"
    beta_assets.write_text(beta_assets.read_text() + SLOW_ASSET)
    beta_init = beta.package_dir / "__init__.py"
    beta_init.write_text(beta_init.read_text() + SLOW_JOB)
    with serving_home(postgres_server, home, ["alpha", "beta"], "test_e2e") as local:
        yield local


def code_server_pid(stack: LocalStack, location: str) -> int:
    """The `dagster code-server start` process serving `location`."""
    servers = stack.find_processes("code-server", f" dagster_code.{location} ")
    assert servers, f"no code server for {location}"
    return servers[0].pid


def test_every_good_location_is_loaded_and_the_broken_one_shows_its_error(stack: LocalStack) -> None:
    statuses = stack.location_statuses()
    assert statuses["alpha"] == ("LOADED", None)
    assert statuses["beta"] == ("LOADED", None)
    assert "broken on purpose: 42" in (statuses["broken"][1] or "")


def test_job_launched_through_graphql_succeeds(stack: LocalStack) -> None:
    run_id = stack.launch_job("alpha", "alpha_pipeline")
    assert stack.wait_for_run(run_id, timeout_s=120) == "SUCCESS"


def test_killed_code_server_is_restarted_while_others_stay_loaded(stack: LocalStack) -> None:
    beta_states: list[bool] = []
    watching = threading.Event()

    def watch_beta() -> None:
        while not watching.is_set():
            beta_states.append(stack.loaded().get("beta", False))
            time.sleep(0.5)

    old_pid = code_server_pid(stack, "alpha")
    watcher = threading.Thread(target=watch_beta)
    watcher.start()
    try:
        os.kill(old_pid, signal.SIGKILL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                restarted = code_server_pid(stack, "alpha") != old_pid
                if restarted and check_server("127.0.0.1", stack.port_of("alpha"))[0] and stack.loaded().get("alpha"):
                    break
            except AssertionError:
                pass
            time.sleep(1)
        else:
            raise AssertionError(f"alpha did not come back:\n{stack.log_tail()}")
    finally:
        watching.set()
        watcher.join()
    assert beta_states and all(beta_states), "beta left LOADED while alpha was down"
    run_id = stack.launch_job("alpha", "alpha_pipeline")
    assert stack.wait_for_run(run_id, timeout_s=120) == "SUCCESS"


def role_pid(stack: LocalStack, *fragments: str) -> int:
    [process] = stack.find_processes(*fragments)
    return process.pid


def wait_for(condition, what: str, stack: LocalStack, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (DaglabError, ValueError, AssertionError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{what} after {timeout_s}s:\n{stack.log_tail()}")


def test_killed_daemon_and_webserver_come_back_and_runs_in_flight_succeed(stack: LocalStack) -> None:
    run_ids = [stack.launch_job("beta", "paced_job") for _ in range(5)]  # 4 run at once, 1 waits in the queue
    wait_for(lambda: sum(stack.run_status(r) == "STARTED" for r in run_ids) >= 2, "no run started", stack)
    for fragments in (("dagster-daemon", "run"), ("dagster-webserver",)):
        old = role_pid(stack, *fragments)
        os.kill(old, signal.SIGKILL)
        wait_for(lambda: role_pid(stack, *fragments) != old, f"{fragments[0]} not restarted", stack)  # noqa: B023
        wait_for(lambda: stack.run_status(run_ids[0]) is not None, "webserver not answering", stack)
    assert stack.process.poll() is None, "make dev stopped"
    statuses: dict[str, str] = {}

    def all_done() -> bool:
        statuses.update({r: stack.run_status(r) for r in run_ids})
        return all(status in ("SUCCESS", "FAILURE", "CANCELED") for status in statuses.values())

    wait_for(all_done, "runs not finished", stack, timeout_s=240)
    assert set(statuses.values()) == {"SUCCESS"}, statuses
    log = stack.log_path.read_text()
    assert "[dev] daemon exited with -9; restarting in 1s" in log
    assert "[dev] webserver exited with -9; restarting in 1s" in log


def test_run_lost_with_a_killed_code_server_is_marked_failed(stack: LocalStack) -> None:
    run_id = stack.launch_job("beta", "slow_job", tags={"dagster/max_retries": "0"})  # a retry would sleep 600 s
    deadline = time.monotonic() + 120
    while stack.run_status(run_id) != "STARTED":
        assert time.monotonic() < deadline, f"run {run_id} never started: {stack.run_status(run_id)}"
        time.sleep(0.5)
    os.kill(code_server_pid(stack, "beta"), signal.SIGKILL)
    assert stack.wait_for_run(run_id, timeout_s=120) == "FAILURE"
    assert any("stopped while this run was in progress" in message for message in stack.run_messages(run_id))
    stack.wait_until_loaded(["beta"], timeout_s=120)


def test_add_location_appears_without_restart_and_remove_takes_it_away(stack: LocalStack) -> None:
    env = stack.env
    added = run_cli(stack.home, "locations", "add", "gamma", "--port", "4293", env=env)
    assert added.returncode == 0, added.stderr
    assert "reloaded the running platform's workspace" in added.stderr
    stack.wait_until_loaded(["gamma"], timeout_s=120)
    run_id = stack.launch_job("gamma", "gamma_pipeline")
    assert stack.wait_for_run(run_id, timeout_s=120) == "SUCCESS", stack.run_messages(run_id)

    removed = run_cli(stack.home, "locations", "remove", "gamma", env=env)
    assert removed.returncode == 0, removed.stderr
    assert "gamma" not in stack.location_statuses()
    assert stack.loaded()["alpha"]


def test_validate_reports_counts_and_names_the_failing_location(stack: LocalStack) -> None:
    good = run_cli(stack.home, "validate", "alpha", "--json", env=stack.env)
    assert good.returncode == 0, good.stderr
    assert '"assets": 1' in good.stdout and '"jobs": 1' in good.stdout and '"grpc": "serving"' in good.stdout
    bad = run_cli(stack.home, "validate", env=stack.env)
    assert bad.returncode == 1
    assert "error: location 'broken': import failed: RuntimeError: broken on purpose: 42" in bad.stderr


def test_health_is_green_only_when_every_location_serves(stack: LocalStack) -> None:
    result = run_cli(stack.home, "health", env=stack.env)
    assert result.returncode == 0, result.stderr


def test_ctrl_c_stops_everything_and_leaves_no_orphans(stack: LocalStack) -> None:
    pids = [p.pid for p in psutil.Process(stack.process.pid).children(recursive=True)]
    assert len(pids) >= 6  # supervisor, 3 code servers (+ their grpc children), webserver, daemon
    stack.stop()
    assert stack.leftover_processes() == []
    unhealthy = run_cli(stack.home, "health", env=stack.env)
    assert unhealthy.returncode == 1
    assert Path(stack.data_dir / "serve.pid").exists() is False
