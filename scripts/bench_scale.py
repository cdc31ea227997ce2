#!/usr/bin/env python
"""Benchmark EXECUTOR=celery: scaling over workers, per-step overhead, recovery from a dead worker.

Starts its own Redis broker (free port), a local stack serving a throw-away `spread` location (the eight-step
`spread_job` of tests/execution/spread_job.py) on fresh databases, and `data-manager worker` processes of one
process each. Prints one JSON line:
- workers_2_vs_1: wall time of the same CPU-bound run (8 steps burning BURN_S of CPU each) on 1 worker / on 2;
- celery_step_overhead_ms: median time between consecutive step completions of a run of 9 empty steps on one
  worker, minus the same for Dagster's multiprocess executor run one step at a time (negative: Celery is faster);
- worker_death_to_rerun_s: from SIGKILL of a worker's whole process group in the middle of a step to that step
  starting again on the other worker (CELERY_VISIBILITY_TIMEOUT_S at its default);
- rows_exact: every run's rows were each loaded once.
Progress goes to stderr. Uses the machine's Postgres (TEST_POSTGRES_* / 127.0.0.1:5432).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import psycopg

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests"))  # the tests' stack and spread job, measured the same way

from conftest import TEST_PG, serving_home  # noqa: E402
from data_manager.execution.local_workers import start_worker, wait_until_ready  # noqa: E402
from data_manager.execution.redis_broker import RedisBroker  # noqa: E402
from data_manager.locations.model import Location  # noqa: E402
from data_manager.paths import ProjectPaths  # noqa: E402
from data_manager.process_groups import signal_group, stop_group  # noqa: E402
from platform_support import make_home, run_cli  # noqa: E402

SPREAD_JOB = REPO_ROOT / "tests" / "execution" / "spread_job.py"
BURN_S = 4.0


def log(message: str) -> None:
    print(f"[bench-scale] {message}", file=sys.stderr, flush=True)


def parts(**config: float) -> dict:
    return {"ops": {f"part_{index}": {"config": config} for index in range(8)}}


def query(stack, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(**stack.pg.connect_kwargs(), autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def run(stack, **config: float) -> tuple[str, float]:
    started = time.monotonic()
    run_id = stack.launch_job("spread", "spread_job", run_config=parts(**config))
    status = stack.wait_for_run(run_id, timeout_s=1200)
    if status != "SUCCESS":
        raise SystemExit(f"run {run_id} ended {status}")
    return run_id, time.monotonic() - started


def run_seconds(stack, run_id: str) -> float:
    with stack.client() as client:
        found = client.run(run_id)
    return (found.end_time or 0) - (found.start_time or 0)


def completion_gaps(stack, run_id: str) -> list[float]:
    """Seconds between consecutive step completions of a run (its steps ran one at a time)."""
    with stack.client() as client:
        events = client.all_logs(run_id)
    done = sorted(e.timestamp for e in events if e.event_type == "STEP_SUCCESS" and e.timestamp)
    return [b - a for a, b in pairwise(done)]


def rows_exact(stack, run_id: str, rows: int) -> bool:
    counts = dict(query(stack, "SELECT part, count(*) FROM spread.rows WHERE run_id = %s GROUP BY part", run_id))
    return counts == dict.fromkeys(range(8), rows)


def multiprocess_gaps(stack, home: Path) -> list[float]:
    """The same empty job under Dagster's multiprocess executor (one step at a time), in this process."""
    import dagster as dg

    os.environ.update(stack.env)  # the stack's instance (dagster.yaml reads its settings from the environment)
    os.environ.pop("EXECUTOR", None)
    sys.path.insert(0, str(home / "app"))
    from dagster_code.spread.spread_job import spread_job  # the plain job: no platform executor

    instance = dg.DagsterInstance.get()
    config = {**parts(), "execution": {"config": {"multiprocess": {"max_concurrent": 1}}}}
    result = dg.execute_job(dg.reconstructable(spread_job), instance=instance, run_config=config)
    if not result.success:
        raise SystemExit("the multiprocess run failed")
    done = sorted(
        e.timestamp
        for e in instance.all_logs(result.run_id)
        if e.dagster_event and e.dagster_event.event_type_value == "STEP_SUCCESS"
    )
    return [b - a for a, b in pairwise(done)]


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="bench_scale_"))
    broker = RedisBroker(root / "redis").start()
    home = make_home(root / "home")
    if run_cli(home, "locations", "add", "spread", "--port", "4295").returncode != 0:
        raise SystemExit("could not add the spread location")
    location = Location.named("spread", ProjectPaths(home))
    shutil.copyfile(SPREAD_JOB, location.package_dir / "spread_job.py")
    init = location.package_dir / "__init__.py"
    init.write_text(init.read_text() + "\nfrom dagster_code.spread.spread_job import spread_job\n\n"
                    "defs = dg.Definitions.merge(defs, dg.Definitions(jobs=[spread_job]))\n")  # fmt: skip
    workers = []
    figures: dict[str, object] = {}
    try:
        log("starting the stack")
        env = {"EXECUTOR": "celery", "CELERY_BROKER_URL": broker.url}
        with serving_home(TEST_PG, home, ["spread"], "bench_scale", extra_env=env) as stack:
            from execution.spread_job import TABLES

            with psycopg.connect(**stack.pg.connect_kwargs(), autocommit=True) as conn:
                conn.execute(TABLES)
            worker_env = {**stack.env, "DATA_PLATFORM_HOME": str(home)}

            def add_worker(name: str):
                log_path = root / f"{name}.log"
                process = start_worker(["spread"], worker_env, home, log_path, concurrency=1, name=f"{name}@%h")
                wait_until_ready(process, log_path)
                workers.append(process)
                return process

            first = add_worker("w1")
            exact = []
            run(stack)  # warm: the worker's process imports the location once
            empty_id, _ = run(stack)
            celery_gap = statistics.median(completion_gaps(stack, empty_id))
            log(f"celery: median {celery_gap * 1000:.0f} ms between step completions")
            mp_gap = statistics.median(multiprocess_gaps(stack, home))
            log(f"multiprocess: median {mp_gap * 1000:.0f} ms between step completions")
            one_id, _ = run(stack, batches=2, burn_s=BURN_S / 2)
            one = run_seconds(stack, one_id)
            log(f"1 worker: {one:.1f} s")
            add_worker("w2")
            run(stack)  # warm the second worker
            two_id, _ = run(stack, batches=2, burn_s=BURN_S / 2)
            two = run_seconds(stack, two_id)
            log(f"2 workers: {two:.1f} s")
            exact += [rows_exact(stack, rid, 40) for rid in (empty_id, one_id, two_id)]

            log("killing a worker in the middle of a step")
            kill_id = stack.launch_job("spread", "spread_job", run_config=parts(rows=400, batches=10, pause_s=1.0))
            import psutil

            victim = {first.pid, *(c.pid for c in psutil.Process(first.pid).children(recursive=True))}
            deadline = time.monotonic() + 300
            started = []
            while not started and time.monotonic() < deadline:
                started = [p for p, pid in query(stack, "SELECT part, pid FROM spread.attempts WHERE run_id = %s",
                                                  kill_id) if pid in victim]  # fmt: skip
                time.sleep(0.2)
            time.sleep(2)
            signal_group(first, signal.SIGKILL)
            killed_at = datetime.now().astimezone()
            rerun = []
            while len(rerun) < 1 and time.monotonic() < deadline:
                rerun = query(stack, "SELECT started_at FROM spread.attempts WHERE run_id = %s AND part = %s"
                                     " AND started_at > %s", kill_id, started[0], killed_at)  # fmt: skip
                time.sleep(0.2)
            status = stack.wait_for_run(kill_id, timeout_s=600)
            exact.append(status == "SUCCESS" and rows_exact(stack, kill_id, 400))
            figures = {
                "workers_2_vs_1": round(one / two, 2),
                "run_1_worker_s": round(one, 1),
                "run_2_workers_s": round(two, 1),
                "celery_step_overhead_ms": round((celery_gap - mp_gap) * 1000),
                "celery_step_gap_ms": round(celery_gap * 1000),
                "multiprocess_step_gap_ms": round(mp_gap * 1000),
                "worker_death_to_rerun_s": round((rerun[0][0] - killed_at).total_seconds(), 1) if rerun else None,
                "rows_exact": all(exact),
            }
    finally:
        for process in workers:
            stop_group(process, grace_s=5)
        broker.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(figures))
    return 0 if figures.get("rows_exact") else 1


if __name__ == "__main__":
    sys.exit(main())
