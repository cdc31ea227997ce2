#!/usr/bin/env python
"""Benchmark the local platform: cold start, memory and run latency for 1, 5 and 10 locations.

Prints one JSON line:
{"results": [{"deployment": "make dev", "locations": N, "mode": "proxy", "cold_start_s": ..., "code_server_rss_mb_max": ..., "webserver_rss_mb": ...,
              "daemon_rss_mb": ..., "run_latency_s": ..., "run_latency_warm_s": ...}, ...]}
`run_latency_s` is the first run right after the cold start; `run_latency_warm_s` the median of the next
WARM_RUNS runs of the same trivial job.
Without --mode it measures what each deployment runs by default: `make dev` (CODE_SERVER_MODE from
data_manager.settings, proxy) and Compose (the default in docker-compose.yaml, direct), the same processes
started here without containers. Progress goes to stderr. Uses POSTGRES_* (default 127.0.0.1:5432) with throw-away databases.
"""

from __future__ import annotations

import argparse
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
from data_manager.process_groups import free_port
from data_manager.settings import SETTINGS, PostgresSettings
from data_manager.stack_runtime import free_port_offset

REPO_ROOT = Path(__file__).resolve().parents[1]
WARM_RUNS = 3


def log(message: str) -> None:
    print(f"[bench-platform] {message}", file=sys.stderr, flush=True)


def command_of(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:  # exited, or a zombie not yet reaped
        return []


def rss_mb(process: psutil.Process) -> float:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return round(total / 2**20, 1)


def run_latency(client: DagsterClient, target: LaunchTarget) -> float:
    """Seconds from launch to SUCCESS of one run of the trivial job."""
    launched = time.monotonic()
    run_id = client.launch(target)
    status = client.wait(run_id, timeout=300, poll_interval=0.1).status
    if status != "SUCCESS":
        raise RuntimeError(f"benchmark run {run_id} ended {status}")
    return time.monotonic() - launched


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
        servers = serve.children()  # one code server per location, whatever CODE_SERVER_MODE is
        webserver = next(p for p, command in processes if any("dagster-webserver" in part for part in command))
        daemon = next(p for p, command in processes if any(part.endswith("dagster-daemon") for part in command))
        time.sleep(2)  # let memory settle after loading
        for member in [servers[0], *servers[0].children(recursive=True)]:
            log(f"  code server process {member.pid}: {member.memory_info().rss / 2**20:.0f} MB "
                f"{' '.join(member.cmdline()[2:5])}")  # fmt: skip

        memory = {
            "code_server_rss_mb_max": max(rss_mb(p) for p in servers),
            "webserver_rss_mb": rss_mb(webserver),
            "daemon_rss_mb": rss_mb(daemon),
        }
        target = client.resolve_job("bench_0_pipeline", location="bench_0")
        latencies = [run_latency(client, target) for _ in range(1 + WARM_RUNS)]
        log(f"{count} location(s): runs succeeded in {', '.join(f'{t:.1f}' for t in latencies)} s")
        return {
            "locations": count,
            "mode": mode,
            "cold_start_s": round(cold_start, 2),
            **memory,
            "run_latency_s": round(latencies[0], 2),
            "run_latency_warm_s": round(statistics.median(latencies[1:]), 2),
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
