#!/usr/bin/env python
"""Benchmark the local platform: cold start, memory and run latency for 1, 5 and 10 locations.

Prints one JSON line:
{"results": [{"deployment": "make dev", "locations": N, "mode": "proxy", "cold_start_s": ...,
              "code_server_pss_mb_per_location": ..., "code_server_rss_mb_max": ..., "code_server_pss_mb_max": ...,
              "code_server_uss_mb_max": ..., "webserver_rss_mb": ..., "daemon_rss_mb": ..., "stack_pss_mb": ...,
              "plain_grpc_rss_mb": ..., "plain_grpc_pss_mb": ..., "run_latency_s": ..., "run_latency_warm_s": ...,
              "run_phases_first_s": {...}, "run_phases_warm_s": {...}}, ...]}
A location's memory is its code server's process group (both processes in proxy mode), plus its share of the
forkserver the code servers are forked from (`code_server_forkserver_pss_mb`, CODE_SERVER_START=fork); PSS is
what the machine pays when pages are shared, USS what the location alone holds. `stack_pss_mb` is every process of the stack:
code servers, webserver, daemon and API. `plain_grpc_*` is Dagster's own `dagster api grpc` serving the first
location's module beside them, in the same environment: the baseline a location's figures compare with.
`run_latency_s` is the first run right after the cold start; `run_latency_warm_s` the median of the next
WARM_RUNS runs of the same trivial job. The phases split a run's seconds by its events: queue (launch →
dequeued; Dagster logs no RUN_DEQUEUED today, so it counts in the next), dequeue (→ handed to the launcher),
launch (→ the run worker started), step_start (→ the step began), step, finish (→ RUN_SUCCESS) and seen (→ the
client saw SUCCESS).
Without --mode it measures what each deployment runs by default: `make dev` (CODE_SERVER_MODE from
data_manager.settings, proxy) and Compose (the default in docker-compose.yaml, direct), the same processes
started here without containers. Progress goes to stderr. Uses POSTGRES_* (default 127.0.0.1:5432) with throw-away databases.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
import yaml

from daglab import DagsterClient
from daglab.errors import DaglabError
from daglab.models import LaunchTarget
from data_manager.db import connect
from data_manager.local.dev import platform_environment
from data_manager.paths import ProjectPaths
from data_manager.process_groups import argv_of, free_port
from data_manager.settings import SETTINGS, PostgresSettings
from data_manager.stack_runtime import free_port_offset

REPO_ROOT = Path(__file__).resolve().parents[1]
WARM_RUNS = 3


def log(message: str) -> None:
    print(f"[bench-platform] {message}", file=sys.stderr, flush=True)


def command_of(process: psutil.Process) -> list[str]:
    try:
        return argv_of(process.cmdline())
    except psutil.Error:  # exited, or a zombie not yet reaped
        return []


def tree_memory_mb(processes: list[psutil.Process]) -> dict[str, float]:
    """RSS, PSS and USS in MB, summed over `processes` and their descendants (each counted once)."""
    return memory_mb([p for process in processes for p in [process, *process.children(recursive=True)]])


def memory_mb(processes: list[psutil.Process]) -> dict[str, float]:
    """RSS, PSS and USS in MB, summed over `processes` (each counted once)."""
    members = {p.pid: p for p in processes}
    totals = {"rss": 0, "pss": 0, "uss": 0}
    for member in members.values():
        try:
            info = member.memory_full_info()  # reads /proc/PID/smaps_rollup
        except psutil.Error:
            continue
        for key in totals:
            totals[key] += getattr(info, key)
    return {key: round(value / 2**20, 1) for key, value in totals.items()}


# A run's phases, each ending at the first event of its type (Dagster's event log, seconds since the epoch).
PHASE_ENDS = (
    ("queue", "RUN_DEQUEUED"),
    ("dequeue", "RUN_STARTING"),
    ("launch", "RUN_START"),
    ("step_start", "STEP_START"),
    ("step", "STEP_SUCCESS"),
    ("finish", "RUN_SUCCESS"),
)


def run_phases(client: DagsterClient, run_id: str, launched_at: float, seen_at: float) -> dict[str, float]:
    """Seconds of each phase of one run; a phase whose event is missing counts in the next one."""
    first: dict[str, float] = {}
    for event in client.all_logs(run_id):
        if event.event_type and event.timestamp:  # older servers name run events PIPELINE_*
            first.setdefault(event.event_type.replace("PIPELINE_", "RUN_"), event.timestamp)
    phases, since = {}, launched_at
    for phase, event_type in PHASE_ENDS:
        if event_type in first:
            phases[phase], since = round(first[event_type] - since, 3), first[event_type]
    phases["seen"] = round(seen_at - since, 3)
    return phases


def timed_run(client: DagsterClient, target: LaunchTarget) -> tuple[float, dict[str, float]]:
    """Seconds from launch to SUCCESS of one run of the trivial job, and its phases."""
    launched, launched_at = time.monotonic(), time.time()
    run_id = client.launch(target)
    status = client.wait(run_id, timeout=300, poll_interval=0.1).status
    seconds, seen_at = time.monotonic() - launched, time.time()
    if status != "SUCCESS":
        raise RuntimeError(f"benchmark run {run_id} ended {status}")
    return seconds, run_phases(client, run_id, launched_at, seen_at)


def median_phases(runs: list[dict[str, float]]) -> dict[str, float]:
    return {phase: round(statistics.median(run.get(phase, 0.0) for run in runs), 3) for phase in runs[0]}


def location_groups(processes: list[tuple[psutil.Process, list[str]]]) -> dict[str, list[psutil.Process]]:
    """Each location's processes: its code server's process group (a proxy and its `api grpc` child, and the
    run-worker forkserver once it ran). Forked code servers are children of the serve process's forkserver, not
    of each other, so a process tree would miss a proxy's child."""
    group_of = {}
    for process, _ in processes:
        with contextlib.suppress(ProcessLookupError):
            group_of[process.pid] = os.getpgid(process.pid)
    leaders = {command[command.index("--location-name") + 1]: group_of.get(process.pid)
               for process, command in processes if "--location-name" in command}  # fmt: skip
    return {name: [p for p, _ in processes if group_of.get(p.pid) == group] for name, group in sorted(leaders.items())}


def plain_grpc_memory_mb(server: psutil.Process, env: dict[str, str]) -> dict[str, float]:
    """Memory of plain `dagster api grpc` serving the same module, same environment and directory as `server`."""
    served = argv_of(server.cmdline())[5:]  # after `python -m <prefix> <mode words>`: -m module ... -p port ...
    port = str(free_port())
    served[served.index("-p") + 1] = port
    plain = subprocess.Popen(
        [sys.executable, "-m", "dagster", "api", "grpc", *served],
        env=env, cwd=server.cwd(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        health = [sys.executable, "-m", "dagster", "api", "grpc-health-check", "-p", port]
        while subprocess.run(health, capture_output=True).returncode != 0:
            if plain.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("plain `dagster api grpc` did not start")
            time.sleep(0.5)
        time.sleep(2)  # as for the platform's servers
        return tree_memory_mb([psutil.Process(plain.pid)])
    finally:
        os.killpg(plain.pid, signal.SIGKILL)
        plain.wait()


def make_home(root: Path, count: int) -> None:
    (root / "platform").mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "platform/dagster.yaml", root / "platform/dagster.yaml")
    (root / "app/dagster_code").mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "app/dagster_code/__init__.py", root / "app/dagster_code/__init__.py")
    (root / "code-locations.json").write_text(json.dumps({"code_locations": [], "config": {}}))
    env = {**os.environ, "DATA_PLATFORM_HOME": str(root)}
    for index in range(count):
        subprocess.run(
            [sys.executable, "-m", "data_manager.cli", "locations", "add", f"bench_{index}"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip


def measure(count: int, server: PostgresSettings, mode: str) -> dict:
    tag = uuid.uuid4().hex[:8]
    data_db, dagster_db = f"bench_{tag}", f"bench_{tag}_dagster"
    root = Path(tempfile.mkdtemp(prefix=f"bench_platform_{count}_"))
    make_home(root, count)
    port = free_port()
    env = {
        **os.environ,
        "POSTGRES_HOST": server.host,
        "POSTGRES_PORT": str(server.port),
        "POSTGRES_USER": server.user,
        "POSTGRES_PASSWORD": server.password,
        "POSTGRES_DB": data_db,
        "DAGSTER_POSTGRES_DB": dagster_db,
        "DAGSTER_WEBSERVER_PORT": str(port),
        "SAMPLE_API_PORT": str(free_port()),
        "CODE_SERVER_MODE": mode,
        "LOCAL_PORT_OFFSET": str(free_port_offset()),  # beside a running `make dev`
    }
    env = platform_environment(ProjectPaths(root, root / ".data"), env)  # as `make dev` builds it
    url = f"http://127.0.0.1:{port}"
    log(f"{count} location(s): starting")
    started = time.monotonic()
    dev = subprocess.Popen(
        [sys.executable, "-m", "data_manager.cli", "dev", "--no-prepare"],
        env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    client = DagsterClient(url=url, timeout=30, max_retries=0)
    try:
        while True:
            if time.monotonic() - started > 300:
                raise RuntimeError("locations not loaded after 300 s")
            try:
                locations = client.locations()
                if sum(loc.load_status == "LOADED" and loc.error is None for loc in locations) == count:
                    break
            except DaglabError:
                pass
            time.sleep(0.25)
        cold_start = time.monotonic() - started
        log(f"{count} location(s): loaded in {cold_start:.1f}s")

        processes = [(p, command_of(p)) for p in psutil.Process(dev.pid).children(recursive=True)]
        serve = next(p for p, command in processes if command[1:4] == ["-m", "data_manager.cli", "serve"])
        groups = location_groups(processes)  # one per location, whatever CODE_SERVER_MODE is
        # CODE_SERVER_START=fork: the forkserver every code server is forked from; its pages are shared with them
        forkservers = [p for p, command in processes if "multiprocessing.forkserver" in " ".join(command)
                       and p.ppid() == serve.pid]  # fmt: skip
        webserver = next(p for p, command in processes if any("dagster-webserver" in part for part in command))
        daemon = next(p for p, command in processes if any(part.endswith("dagster-daemon") for part in command))
        time.sleep(2)  # let memory settle after loading
        first = next(iter(groups.values()))
        for member in first:
            memory_of = memory_mb([member])
            log(f"  code server process {member.pid}: RSS {memory_of['rss']:.0f} MB, PSS {memory_of['pss']:.0f} MB, "
                f"{' '.join(command_of(member)[2:5])}")  # fmt: skip

        per_location = [memory_mb(members) for members in groups.values()]
        shared = memory_mb(forkservers)
        plain = plain_grpc_memory_mb(first[0], env)
        memory = {
            # what the machine pays per location: its own processes, and its share of the forkserver
            "code_server_pss_mb_per_location": round(
                (sum(m["pss"] for m in per_location) + shared["pss"]) / len(per_location), 1
            ),
            "code_server_forkserver_pss_mb": shared["pss"],
            "code_server_rss_mb_max": max(m["rss"] for m in per_location),
            "code_server_pss_mb_max": max(m["pss"] for m in per_location),
            "code_server_uss_mb_max": max(m["uss"] for m in per_location),
            "webserver_rss_mb": tree_memory_mb([webserver])["rss"],
            "daemon_rss_mb": tree_memory_mb([daemon])["rss"],
            "stack_pss_mb": tree_memory_mb([psutil.Process(dev.pid)])["pss"],
            "plain_grpc_rss_mb": plain["rss"],
            "plain_grpc_pss_mb": plain["pss"],
        }
        log(f"{count} location(s): PSS per location up to {memory['code_server_pss_mb_max']:.0f} MB, "
            f"the stack {memory['stack_pss_mb']:.0f} MB")  # fmt: skip
        target = client.resolve_job("bench_0_pipeline", location="bench_0")
        runs = [timed_run(client, target) for _ in range(1 + WARM_RUNS)]
        log(f"{count} location(s): runs succeeded in {', '.join(f'{t:.1f}' for t, _ in runs)} s")
        return {
            "locations": count,
            "mode": mode,
            "cold_start_s": round(cold_start, 2),
            **memory,
            "run_latency_s": round(runs[0][0], 2),
            "run_latency_warm_s": round(statistics.median(t for t, _ in runs[1:]), 2),
            "run_phases_first_s": runs[0][1],
            "run_phases_warm_s": median_phases([phases for _, phases in runs[1:]]),
        }
    finally:
        client.close()
        dev.send_signal(signal.SIGINT)
        try:
            dev.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)
        with connect(server, database="postgres", autocommit=True) as conn:
            for database in (data_db, dagster_db):
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(root, ignore_errors=True)


def deployment_defaults() -> dict[str, str]:
    """CODE_SERVER_MODE each deployment runs unless told otherwise, read from where each one sets it."""
    compose_env = yaml.safe_load((REPO_ROOT / "docker-compose.yaml").read_text())["x-platform-env"]
    compose_default = re.fullmatch(r"\$\{CODE_SERVER_MODE:-(\w+)\}", compose_env["CODE_SERVER_MODE"])
    if compose_default is None:
        sys.exit("error: docker-compose.yaml sets CODE_SERVER_MODE without a ${CODE_SERVER_MODE:-mode} default")
    return {"make dev": SETTINGS["CODE_SERVER_MODE"].default, "compose": compose_default.group(1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="1,5,10", help="location counts to measure (default 1,5,10)")
    parser.add_argument(
        "--mode", choices=["proxy", "direct"], help="only this CODE_SERVER_MODE (default: each deployment's default)"
    )
    args = parser.parse_args()
    server = PostgresSettings.from_env()
    modes = {"--mode": args.mode} if args.mode else deployment_defaults()
    results = [
        {"deployment": deployment, **measure(int(count), server, mode)}
        for deployment, mode in modes.items()
        for count in args.counts.split(",")
    ]
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
