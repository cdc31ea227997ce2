#!/usr/bin/env python
"""Benchmark the local platform: cold start, memory and run latency for 1, 5 and 10 locations.

Prints one JSON line:
{"results": [{"locations": N, "cold_start_s": ..., "code_server_rss_mb_max": ..., "webserver_rss_mb": ...,
              "daemon_rss_mb": ..., "run_latency_s": ...}, ...]}
Progress goes to stderr. Uses POSTGRES_* (default 127.0.0.1:5432) with throw-away databases.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psutil

from data_manager.db import connect
from data_manager.settings import PostgresSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
LAUNCH = """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
STATUS = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"""
LOCATIONS = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename } } } } }"""


def log(message: str) -> None:
    print(f"[bench-platform] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    response = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables or {}}, timeout=30)
    return response.json()["data"]


def rss_mb(process: psutil.Process) -> float:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return round(total / 2**20, 1)


def make_home(root: Path, count: int) -> None:
    (root / "platform").mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "platform/dagster.yaml", root / "platform/dagster.yaml")
    (root / "app/dagster_code").mkdir(parents=True)
    (root / "app/dagster_code/__init__.py").write_text("")
    (root / "code-locations.json").write_text(json.dumps({"code_locations": [], "config": {}}))
    env = {**os.environ, "DATA_PLATFORM_HOME": str(root)}
    for index in range(count):
        subprocess.run(
            [sys.executable, "-m", "data_manager.cli", "locations", "add", f"bench_{index}"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip


def measure(count: int, server: PostgresSettings) -> dict:
    tag = uuid.uuid4().hex[:8]
    data_db, dagster_db = f"bench_{tag}", f"bench_{tag}_dagster"
    root = Path(tempfile.mkdtemp(prefix=f"bench_platform_{count}_"))
    make_home(root, count)
    port = free_port()
    env = {
        **os.environ,
        "DATA_PLATFORM_HOME": str(root),
        "DATA_PLATFORM_DATA_DIR": str(root / ".data"),
        "POSTGRES_HOST": server.host,
        "POSTGRES_PORT": str(server.port),
        "POSTGRES_USER": server.user,
        "POSTGRES_PASSWORD": server.password,
        "POSTGRES_DB": data_db,
        "DAGSTER_POSTGRES_DB": dagster_db,
        "DAGSTER_WEBSERVER_PORT": str(port),
        "SAMPLE_API_PORT": str(free_port()),
    }
    url = f"http://127.0.0.1:{port}"
    log(f"{count} location(s): starting")
    started = time.monotonic()
    dev = subprocess.Popen(
        [sys.executable, "-m", "data_manager.cli", "dev", "--no-prepare"],
        env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        while True:
            if time.monotonic() - started > 300:
                raise RuntimeError("locations not loaded after 300 s")
            try:
                entries = graphql(url, LOCATIONS)["workspaceOrError"]["locationEntries"]
                ok = [e for e in entries if e["loadStatus"] == "LOADED" and e["locationOrLoadError"]["__typename"]
                      == "RepositoryLocation"]  # fmt: skip
                if len(ok) == count:
                    break
            except (httpx.HTTPError, KeyError, TypeError, ValueError):
                pass
            time.sleep(0.25)
        cold_start = time.monotonic() - started
        log(f"{count} location(s): loaded in {cold_start:.1f}s")

        processes = psutil.Process(dev.pid).children(recursive=True)
        servers = [p for p in processes if "code-server" in p.cmdline()]
        webserver = next(p for p in processes if any("dagster-webserver" in part for part in p.cmdline()))
        daemon = next(p for p in processes if any(part.endswith("dagster-daemon") for part in p.cmdline()))
        time.sleep(2)  # let memory settle after loading
        for member in [servers[0], *servers[0].children(recursive=True)]:
            log(f"  code server process {member.pid}: {member.memory_info().rss / 2**20:.0f} MB "
                f"{' '.join(member.cmdline()[2:5])}")  # fmt: skip

        memory = {
            "code_server_rss_mb_max": max(rss_mb(p) for p in servers),
            "webserver_rss_mb": rss_mb(webserver),
            "daemon_rss_mb": rss_mb(daemon),
        }
        params = {"selector": {"repositoryLocationName": "bench_0", "repositoryName": "__repository__",
                               "jobName": "bench_0_job"}}  # fmt: skip
        launched = time.monotonic()
        run = graphql(url, LAUNCH, {"p": params})["launchRun"]
        if "run" not in run:
            raise RuntimeError(f"launch failed: {run}")
        run_id = run["run"]["runId"]
        while (status := graphql(url, STATUS, {"id": run_id})["runOrError"]["status"]) not in (
            "SUCCESS", "FAILURE", "CANCELED",
        ):  # fmt: skip
            time.sleep(0.1)
        latency = time.monotonic() - launched
        if status != "SUCCESS":
            raise RuntimeError(f"benchmark run ended {status}")
        log(f"{count} location(s): run succeeded in {latency:.1f}s")
        return {
            "locations": count,
            "cold_start_s": round(cold_start, 2),
            **memory,
            "run_latency_s": round(latency, 2),
        }
    finally:
        dev.send_signal(signal.SIGINT)
        try:
            dev.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(dev.pid, signal.SIGKILL)
        with connect(server, database="postgres", autocommit=True) as conn:
            for database in (data_db, dagster_db):
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="1,5,10", help="location counts to measure (default 1,5,10)")
    args = parser.parse_args()
    server = PostgresSettings.from_env()
    results = [measure(int(count), server) for count in args.counts.split(",")]
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
