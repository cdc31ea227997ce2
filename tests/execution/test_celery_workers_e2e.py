"""EXECUTOR=celery end to end: a Redis broker of our own, two `data-manager worker` processes, a local stack.

One broker, one stack and two workers serve the whole module. `spread_job` (tests/execution/spread_job.py)
has eight independent steps and a ninth that adds up their outputs; its steps record their attempts
and write rows keyed by (run, part, n). The faults are real: a worker's whole process group is
SIGKILLed in the middle of a step, and the broker is stopped and started again during a run.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from conftest import serving_home
from data_manager.execution.local_workers import start_worker, wait_until_ready
from data_manager.execution.redis_broker import RedisBroker
from data_manager.locations.model import Location
from data_manager.paths import ProjectPaths
from data_manager.process_groups import signal_group, stop_group
from platform_support import make_home, poll, run_cli
from stack import LocalStack

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(200)]

HERE = Path(__file__).parent
VISIBILITY_TIMEOUT_S = 4  # short, so a dead worker's step comes back quickly; steps last longer than it
ADD_JOB = """
from dagster_code.{name}.spread_job import {job}

defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[{job}]))
"""
STEP_METADATA = """
query StepMetadata($runId: ID!) {
  logsForRun(runId: $runId, limit: 20000) {
    __typename
    ... on EventConnection {
      events {
        __typename
        ... on ExecutionStepOutputEvent {
          stepKey
          metadataEntries { label ... on TextMetadataEntry { text } ... on IntMetadataEntry { intValue } }
        }
      }
    }
  }
}
"""


@dataclass
class Celery:
    """The module's broker, stack and workers."""

    broker: RedisBroker
    stack: LocalStack
    home: Path
    logs: Path
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)
    locations = {"w1": ["spread"], "w2": ["spread", "solo"]}

    def start_worker(self, key: str) -> subprocess.Popen:
        log = self.logs / f"{key}-{len(list(self.logs.glob(f'{key}-*')))}.log"
        env = {**self.stack.env, "DATA_PLATFORM_HOME": str(self.home)}
        process = start_worker(self.locations[key], env, self.home, log, name=f"{key}@%h")
        wait_until_ready(process, log)
        self.workers[key] = process
        return process

    def worker_pids(self, key: str) -> set[int]:
        """The worker's main process and its pool's children."""
        import psutil

        main = psutil.Process(self.workers[key].pid)
        return {main.pid, *(child.pid for child in main.children(recursive=True))}

    def query(self, sql: str, *params: object) -> list[tuple]:
        with psycopg.connect(**self.stack.pg.connect_kwargs(), autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def launch(self, location: str, job: str, **config: float) -> str:
        ops = {f"part_{index}": {"config": config} for index in range(8)} if job == "spread_job" else {}
        return self.stack.launch_job(location, job, run_config={"ops": ops} if ops else None)

    def step_metadata(self, run_id: str) -> dict[str, dict[str, object]]:
        with self.stack.client() as client:
            events = client.execute(STEP_METADATA, {"runId": run_id})["logsForRun"]["events"]
        found: dict[str, dict[str, object]] = {}
        for event in events:
            if event["__typename"] == "ExecutionStepOutputEvent":
                entries = {e["label"]: e.get("text", e.get("intValue")) for e in event["metadataEntries"]}
                found.setdefault(event["stepKey"], {}).update(entries)
        return found


@pytest.fixture(scope="module")
def celery(postgres_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Celery]:
    root = tmp_path_factory.mktemp("celery")
    broker = RedisBroker(root / "redis").start()
    home = make_home(root / "home")
    for name, port, job in (("spread", 4293, "spread_job"), ("solo", 4294, "where_job")):
        assert run_cli(home, "locations", "add", name, "--port", str(port)).returncode == 0
        location = Location.named(name, ProjectPaths(home))
        shutil.copyfile(HERE / "spread_job.py", location.package_dir / "spread_job.py")
        init = location.package_dir / "__init__.py"
        init.write_text(init.read_text() + ADD_JOB.format(name=name, job=job))
    extra_env = {
        "EXECUTOR": "celery",
        "CELERY_BROKER_URL": broker.url,
        "CELERY_VISIBILITY_TIMEOUT_S": str(VISIBILITY_TIMEOUT_S),
    }
    logs = root / "logs"
    logs.mkdir()
    try:
        with serving_home(postgres_server, home, ["spread", "solo"], "test_celery", extra_env=extra_env) as stack:
            harness = Celery(broker, stack, home, logs)
            from execution.spread_job import TABLES

            with psycopg.connect(**stack.pg.connect_kwargs(), autocommit=True) as conn:
                conn.execute(TABLES)
            try:
                harness.start_worker("w1")
                harness.start_worker("w2")
                yield harness
            finally:
                for process in harness.workers.values():
                    stop_group(process, grace_s=10)
    finally:
        broker.stop()


def rows_by_part(celery: Celery, run_id: str) -> dict[int, int]:
    return dict(celery.query("SELECT part, count(*) FROM spread.rows WHERE run_id = %s GROUP BY part", run_id))


def attempts(celery: Celery, run_id: str) -> list[tuple[int, int]]:
    return celery.query("SELECT part, pid FROM spread.attempts WHERE run_id = %s ORDER BY started_at", run_id)


def test_eight_steps_run_on_both_workers_and_their_outputs_meet(celery: Celery) -> None:
    run_id = celery.launch("spread", "spread_job", pause_s=0.3)
    assert celery.stack.wait_for_run(run_id, timeout_s=240) == "SUCCESS", celery.stack.run_messages(run_id)[-20:]
    metadata = celery.step_metadata(run_id)
    parts = {key: value for key, value in metadata.items() if key.startswith("part_")}
    assert len(parts) == 8 and all(value["rows"] == 40 for value in parts.values())
    pids = {value["pid"] for value in parts.values()}
    assert pids <= celery.worker_pids("w1") | celery.worker_pids("w2"), "a step ran outside the workers"
    assert pids & celery.worker_pids("w1") and pids & celery.worker_pids("w2"), f"one worker ran every step: {pids}"
    assert rows_by_part(celery, run_id) == dict.fromkeys(range(8), 40)
    assert len(attempts(celery, run_id)) == 8  # each step once
    assert metadata["total"]["sum"] == 8 * 40  # read from the outputs store, written on both workers


def test_a_location_queue_is_served_only_by_its_workers(celery: Celery) -> None:
    run_id = celery.launch("solo", "where_job")
    assert celery.stack.wait_for_run(run_id, timeout_s=120) == "SUCCESS"
    (where,) = celery.step_metadata(run_id).values()
    assert where["pid"] in celery.worker_pids("w2")  # w1 serves `spread` only


def test_a_worker_killed_mid_step_has_its_step_run_again_and_rows_stay_exact(celery: Celery) -> None:
    # Each step lasts about 10 s, longer than the visibility timeout: the living worker's steps must
    # not be handed out twice, the dead worker's step must come back.
    run_id = celery.launch("spread", "spread_job", rows=400, batches=10, pause_s=1.0)
    victim = celery.worker_pids("w1")
    started = poll(lambda: attempts(celery, run_id), lambda found: any(pid in victim for _, pid in found),
                   "a step running on w1", timeout_s=120, interval_s=0.2)  # fmt: skip
    time.sleep(2)  # in the middle of its batches
    killed_part = next(part for part, pid in started if pid in victim)
    signal_group(celery.workers["w1"], signal.SIGKILL)
    killed_at = time.monotonic()
    celery.workers["w1"].wait(timeout=30)
    again = poll(lambda: [pid for part, pid in attempts(celery, run_id) if part == killed_part],
                 lambda pids: len(pids) >= 2, f"part_{killed_part} running again", timeout_s=120, interval_s=0.2)  # fmt: skip
    rerun_s = time.monotonic() - killed_at
    celery.start_worker("w1")  # back to two workers for the next tests
    assert celery.stack.wait_for_run(run_id, timeout_s=300) == "SUCCESS", celery.stack.run_messages(run_id)[-20:]
    assert again[-1] not in victim
    assert rows_by_part(celery, run_id) == dict.fromkeys(range(8), 400)
    per_part = {}
    for part, _ in attempts(celery, run_id):
        per_part[part] = per_part.get(part, 0) + 1
    assert per_part == {part: 2 if part == killed_part else 1 for part in range(8)}, per_part
    print(f"worker death to rerun: {rerun_s:.1f} s")


def test_a_broker_restart_mid_run_and_the_run_still_ends_with_exact_rows(celery: Celery) -> None:
    run_id = celery.launch("spread", "spread_job", rows=200, batches=5, pause_s=1.0)
    poll(lambda: attempts(celery, run_id), lambda found: len(found) >= 2, "two steps running", timeout_s=120,
         interval_s=0.2)  # fmt: skip
    celery.broker.restart(down_s=3)
    assert celery.stack.wait_for_run(run_id, timeout_s=300) == "SUCCESS", celery.stack.run_messages(run_id)[-20:]
    assert rows_by_part(celery, run_id) == dict.fromkeys(range(8), 200)
    assert not celery.stack.client().runs(["STARTED", "STARTING"])
