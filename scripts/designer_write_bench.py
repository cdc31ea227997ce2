"""Server half of `make bench-designer`: designer writes against a running platform, as a user makes them.

A throw-away home with one location (two table syncs: loading them needs no database) is served by
`data-manager dev` on free ports (its Postgres: POSTGRES_HOST's server with fresh databases, dropped after, or an
embedded one under the home), with `data-manager api` beside it. Keys (medians):

- write_saved_s: PUT of a component's attributes, answered (schema + staged `dg check defs` + journal + write).
- write_reloaded_s: the same write until the location is reloaded in the platform (GET .../reload says loaded).
  Goal <= 3 s.
- lineage_edit_confirmed_s: a drawn dependency (POST .../lineage) answered with the new lineage. Goal <= 2 s.
- undo_s: POST .../undo answered (the staged check of the files as they were).
- state_poll_s: GET .../state past its 1 s cache (the canvas polls it every 1-2 s). Goal well under 1 s.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from data_manager import webserver
from data_manager.api.readiness import wait_until_healthy
from data_manager.process_groups import free_port, stop_group
from data_manager.settings import is_set
from data_manager.stack_runtime import free_port_offset

LOCATION = "bench_writes"
ROUNDS = 5
TABLE_SYNC = "data_manager.components.SqlTableSyncComponent"
STACK_TIMEOUT_S = 600


def _home(repo: Path, root: Path) -> Path:
    """A minimal home: registry, dagster.yaml, the dagster_code package, uv.lock and the warm component catalog."""
    home = root / "home"
    for relative in ("platform/dagster.yaml", "app/dagster_code/__init__.py", ".env.example", "uv.lock"):
        (home / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(repo / relative, home / relative)
    for cached in repo.glob(".data/cache/designer/catalog-*.json"):
        (home / ".data/cache/designer").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, home / ".data/cache/designer" / cached.name)
    (home / "external-connectors").mkdir()
    (home / "code-locations.json").write_text(json.dumps({"code_locations": [], "config": {}}))
    return home


def _cli(home: Path, env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "data_manager.cli", *args], env=env, cwd=home, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"error: data-manager {' '.join(args)} failed: {(done.stderr or done.stdout).strip()[-500:]}")


def _environment(home: Path) -> tuple[dict[str, str], list[str]]:
    """The stack's environment on free ports, and the databases to drop afterwards (external Postgres only)."""
    env = {**os.environ, "DATA_PLATFORM_HOME": str(home), "DATA_PLATFORM_DATA_DIR": str(home / ".data")}
    env.pop("PLATFORM_API_TOKEN", None)
    ports = ("DAGSTER_WEBSERVER_PORT", "PLATFORM_API_PORT", "SAMPLE_API_PORT", "EMBEDDED_POSTGRES_PORT")
    env.update({name: str(free_port()) for name in ports})
    env["LOCAL_PORT_OFFSET"] = str(free_port_offset())
    env["DAGSTER_WEBSERVER_URL"] = f"http://127.0.0.1:{env['DAGSTER_WEBSERVER_PORT']}"
    databases = []
    if is_set("POSTGRES_HOST"):
        suffix = uuid.uuid4().hex[:8]
        env["POSTGRES_DB"], env["DAGSTER_POSTGRES_DB"] = f"bench_designer_{suffix}", f"bench_designer_{suffix}_dagster"
        databases = [env["POSTGRES_DB"], env["DAGSTER_POSTGRES_DB"]]
    return env, databases


def _drop(databases: list[str]) -> None:
    if not databases:
        return
    from psycopg import sql

    from data_manager.db import connect
    from data_manager.settings import PostgresSettings

    with connect(PostgresSettings.from_env("POSTGRES_DB"), database="postgres", autocommit=True) as connection:
        for name in databases:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def _running(command: list[str], env: dict[str, str], home: Path, log: Path) -> Iterator[subprocess.Popen]:
    with open(log, "w") as output:
        process = subprocess.Popen(
            command, env=env, cwd=home, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        stop_group(process, grace_s=30)


def _wait_loaded(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STACK_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"error: data-manager dev exited: {log.read_text()[-800:]}")
        try:
            if webserver.location_statuses(url).get(LOCATION, ("",))[0] == "LOADED":
                return
        except (webserver.WebserverUnavailable, webserver.WebserverError):
            pass
        time.sleep(1)
    sys.exit(f"error: the platform did not load {LOCATION} within {STACK_TIMEOUT_S}s")


def _timed(action: Callable[[], httpx.Response], expected: int) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = action()
    if response.status_code != expected:
        sys.exit(
            f"error: {response.request.method} {response.request.url.path}: {response.status_code} {response.text[:500]}"
        )
    return time.perf_counter() - started, response


def _until_loaded(api: httpx.Client, base: str) -> None:
    while (status := api.get(f"{base}/reload").json())["status"] == "reloading":
        time.sleep(0.02)
    if status["status"] != "loaded":
        sys.exit(f"error: the reload after a write ended {status['status']}: {status['error']}")


def _measure(api: httpx.Client) -> dict[str, float]:
    base = f"/api/designer/locations/{LOCATION}"
    saved, reloaded, lineage, undo = [], [], [], []
    source, target = "pyairbyte_cache/bench_a_orders", "pyairbyte_cache/bench_b_orders"
    for index in range(ROUNDS + 1):  # the first round warms the forks and the webserver
        attributes = {"source": "mysql", "tables": ["orders", f"extra_{index}"], "table_prefix": "bench_a_"}
        started = time.perf_counter()
        save_s, _ = _timed(lambda a=attributes: api.put(f"{base}/components/a_sync", json={"attributes": a}), 200)
        _until_loaded(api, base)
        total_s = time.perf_counter() - started
        draw_s, _ = _timed(lambda: api.post(f"{base}/lineage", json={"source": source, "target": target}), 201)
        undo_s, _ = _timed(lambda: api.post(f"{base}/undo"), 200)
        _until_loaded(api, base)
        if index:
            saved.append(save_s), reloaded.append(total_s), lineage.append(draw_s), undo.append(undo_s)
    polls = []
    for _ in range(ROUNDS):
        time.sleep(1.1)  # past the state's cache: each poll asks the webserver
        polls.append(_timed(lambda: api.get(f"{base}/state"), 200)[0])
    median = lambda values: round(statistics.median(values), 3)  # noqa: E731
    return {
        "write_saved_s": median(saved),
        "write_reloaded_s": median(reloaded),
        "lineage_edit_confirmed_s": median(lineage),
        "undo_s": median(undo),
        "state_poll_s": median(polls),
    }


def measure_writes(repo: Path) -> dict[str, float]:
    """The server keys, on a stack of its own (started and stopped here)."""
    with tempfile.TemporaryDirectory(prefix="bench-designer-") as scratch:
        home = _home(repo, Path(scratch))
        env, databases = _environment(home)
        _cli(home, {**env, "DAGSTER_WEBSERVER_URL": f"http://127.0.0.1:{free_port()}"}, "locations", "add", LOCATION)
        defs = home / "app" / "dagster_code" / LOCATION / "src" / "dagster_code" / LOCATION / "defs"
        for name in ("a", "b"):
            (defs / f"{name}_sync").mkdir(parents=True)
            (defs / f"{name}_sync" / "defs.yaml").write_text(
                f"type: {TABLE_SYNC}\nattributes:\n  source: mysql\n  tables: [orders]\n  table_prefix: bench_{name}_\n"
            )
        try:
            print("starting a platform for the write benchmark…", file=sys.stderr)
            dev = [sys.executable, "-m", "data_manager.cli", "dev", "--no-dbt-prepare", "--no-prepare"]
            with _running(dev, env, home, Path(scratch) / "dev.log") as stack:
                _wait_loaded(env["DAGSTER_WEBSERVER_URL"], stack, Path(scratch) / "dev.log")
                port = free_port()
                api_command = [sys.executable, "-m", "data_manager.cli", "api", "--port", str(port)]
                with _running(api_command, env, home, Path(scratch) / "api.log") as api_process:
                    url = f"http://127.0.0.1:{port}"
                    wait_until_healthy(url, process=api_process)
                    with httpx.Client(base_url=url, timeout=300) as api:
                        return _measure(api)
        finally:
            _drop(databases)
