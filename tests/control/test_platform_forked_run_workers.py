"""RUN_WORKER_START: run workers fork from each code server's warm forkserver, or spawn afresh as Dagster does.

A probe job runs in process, so its op runs in the run worker itself and logs the worker's parent process.
Each case serves one `empty`-template location on a local stack.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import psutil
import pytest

from conftest import serving_home
from data_manager.dagster_private_api import RUN_WORKER_MODULE
from data_manager.locations.model import Location
from data_manager.paths import ProjectPaths
from platform_support import make_home, run_cli
from stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(110)]

NAME, PORT = "forks", 4296
PROBE = '''
import os

import dagster as dg
import psutil

IMPORTED_BY = os.getpid()  # the location's code: imported by the run worker itself, or warm before its fork


@dg.asset(key_prefix="forks")
def run_worker_parent(context: dg.AssetExecutionContext) -> None:
    """In process, so this op runs in the run worker: which process started it?"""
    context.log.info("run worker parent: " + " ".join(psutil.Process(os.getppid()).cmdline()))
    context.log.info(f"location code imported before the fork: {IMPORTED_BY != os.getpid()}")


probe_job = dg.define_asset_job("probe_job", selection=[run_worker_parent], executor_def=dg.in_process_executor)
'''
FORKSERVER = "from multiprocessing.forkserver import main"  # its command line
CASES = [("proxy", "forkserver"), ("direct", "forkserver"), ("direct", "spawn")]


@pytest.fixture(scope="module", params=CASES, ids=["-".join(case) for case in CASES])
def stack(request, postgres_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    mode, start = request.param
    home = make_home(tmp_path_factory.mktemp(f"forks_{mode}_{start}"))
    assert run_cli(home, "locations", "add", NAME, "--port", str(PORT)).returncode == 0
    (Location.named(NAME, ProjectPaths(home)).defs_dir / "probe.py").write_text(PROBE)
    environment = {"CODE_SERVER_MODE": mode, "RUN_WORKER_START": start}
    with serving_home(postgres_server, home, [NAME], "test_forks", environment) as local:
        yield local


def run_probe(stack: LocalStack) -> tuple[str, bool]:
    """The command line of the process that started the probe run's worker, and whether the location's code
    was imported before the worker started."""
    run_id = stack.launch_job(NAME, "probe_job")
    assert stack.wait_for_run(run_id, timeout_s=120) == "SUCCESS", (stack.run_messages(run_id)[-5:], stack.log_tail())
    messages = stack.run_messages(run_id)
    (parent,) = [m.removeprefix("run worker parent: ") for m in messages if "run worker parent" in m]
    (warm,) = [m.endswith("True") for m in messages if "imported before the fork" in m]
    return parent, warm


def test_run_workers_start_as_the_setting_says(stack: LocalStack) -> None:
    assert stack.find_processes(FORKSERVER, RUN_WORKER_MODULE) == [], (
        "a location that has not run yet carries no forkserver"
    )
    parent, warm = run_probe(stack)
    if stack.env["RUN_WORKER_START"] == "forkserver":
        assert FORKSERVER in parent and RUN_WORKER_MODULE in parent
        assert warm, "the forkserver imports the location's code (served_code_preload.py)"
    else:
        assert "-m dagster api grpc" in parent and not warm
    # Every code server runs Dagster's CLI through forked_run_workers only when it forks.
    servers = stack.find_processes("api", "grpc", f" dagster_code.{NAME} ")
    uses_forks = ["data_manager.control.forked_run_workers" in " ".join(p.cmdline()) for p in servers]
    assert uses_forks == [stack.env["RUN_WORKER_START"] == "forkserver"]


def test_a_killed_forkserver_comes_back_with_the_next_run_and_spawn_has_none(stack: LocalStack) -> None:
    forkservers = stack.find_processes(FORKSERVER, RUN_WORKER_MODULE)
    if stack.env["RUN_WORKER_START"] == "spawn":
        assert forkservers == [], "spawn keeps no warm process"
        return
    (forkserver,) = forkservers
    forkserver.kill()  # a zombie until the code server's next run reaps it
    deadline = time.monotonic() + 10
    while forkserver.is_running() and forkserver.status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the forkserver survived SIGKILL"
        time.sleep(0.1)
    assert FORKSERVER in run_probe(stack)[0]
    (again,) = stack.find_processes(FORKSERVER, RUN_WORKER_MODULE)
    assert again.pid != forkserver.pid
