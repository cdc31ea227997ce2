"""`make test-compose`: the Compose deployment end to end on a real Docker engine.

From a clean clone: builds both images, writes a throw-away env file (random passwords, a free webserver
port, its own project name), starts the stack and checks what a user relies on: every service healthy and
every location LOADED; the three `<location>_pipeline` jobs succeed (launched with daglab) and fill the
reporting tables; `data-manager validate` in the container; recovery from kill -9 of the data-manager and of
Postgres (the next launch succeeds, no run stays NOT_STARTED); runs in flight through kill -9 of the daemon,
webserver, platform API and a code server and a Postgres restart (each SUCCESS, itself or on retry; the API
503 with Retry-After meanwhile, never 500); RUN_LAUNCHER=docker (a run in its own
container, which a code-server restart does not kill, removed afterwards); a code change shown after
`make up` + `make reload`; and `down -v` leaving nothing. The platform API: healthy, the designer at /designer/,
OpenAPI with the token (401 without), designer writes refused (read-only in Compose), and one universal pipeline
created and launched over it to SUCCESS, with its pipeline_runs row and entity rows. Prints timings and
`docker stats`.
Exit codes: 0 all checks passed; 1 a check failed; 2 no Docker engine or compose.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import httpx
import yaml

from daglab import DagsterClient
from daglab.errors import DagsterGraphQLError
from daglab.models import ACTIVE_STATUSES, FINISHED_STATUSES
from data_manager.locations.model import Location
from data_manager.paths import ProjectPaths
from data_manager.run_errors import run_failure_cause
from sample_api import load_products

REPO = Path(__file__).resolve().parent.parent
SERVICES = ("postgres", "mysql", "sample-api", "data-manager", "dagster-webserver", "dagster-daemon", "platform-api")
ONE_SHOT = ("migrate",)  # must have exited 0
REPORTING = {  # location -> its reporting table
    "airbyte_sync": "faker_users_reporting",
    "sample_product_sync": "products_reporting",
    "sql_sync": "shop_orders_reporting",
}
CHANGED_FILE = Location.named("sql_sync", ProjectPaths(REPO)).package_dir / "__init__.py"  # from the one model
OVERRIDE = "docker-compose.run-launcher-docker.yaml"
CELERY_OVERRIDE = "docker-compose.celery.yaml"
# The job the Celery check spreads over two workers: `location:job[:reporting table]`. The default is the sql_sync
# pipeline (a table sync and its dbt models); point it at a universal pipeline with many chunks when one exists.
CELERY_JOB = os.environ.get("TEST_COMPOSE_CELERY_JOB", "sql_sync:sql_sync_pipeline:shop_orders_reporting")
STARTED = time.monotonic()
timings: dict[str, float] = {}


class CheckFailed(Exception):
    """One of the checks failed: the message says which and what was seen."""


def say(message: str) -> None:
    print(f"[test-compose {time.monotonic() - STARTED:6.0f}s] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, condition: Callable[[], bool], timeout_s: float, interval_s: float = 2.0) -> float:
    """Seconds until `condition()` holds; CheckFailed naming `what` after `timeout_s`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            raise CheckFailed(f"{what}: not reached within {timeout_s:.0f}s")
        time.sleep(interval_s)
    return time.monotonic() - started


class Stack:
    """One throw-away compose project: its env file, compose command line and the webserver client."""

    def __init__(self) -> None:
        self.project = f"dptest{secrets.token_hex(3)}"
        self.port = free_port()
        self.env_file = REPO / ".data" / "test-compose" / f"{self.project}.env"
        self.values = {
            "COMPOSE_PROJECT_NAME": self.project,
            "POSTGRES_PASSWORD": secrets.token_urlsafe(18),
            "MYSQL_PASSWORD": secrets.token_urlsafe(18),
            "DAGSTER_WEBSERVER_PORT": str(self.port),
            "PLATFORM_API_TOKEN": secrets.token_urlsafe(24),
            "PLATFORM_API_PORT": str(free_port()),
        }
        self.env_file.parent.mkdir(parents=True, exist_ok=True)
        self.env_file.write_text("".join(f"{k}={v}\n" for k, v in self.values.items()))
        self.env_file.chmod(0o600)
        self.compose = shlex.split(os.environ.get("COMPOSE") or "docker compose")
        self.launcher = "default"
        self.executor = "multiprocess"
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_url = f"http://127.0.0.1:{self.values['PLATFORM_API_PORT']}"

    def process_env(self) -> dict[str, str]:
        return {**os.environ, "COMPOSE_PROJECT_NAME": self.project}

    def dc_args(self, launcher: str | None = None) -> list[str]:
        files = ["-f", "docker-compose.yaml"]
        if (launcher or self.launcher) == "docker":
            files += ["-f", OVERRIDE]
        if self.executor == "celery":
            files += ["-f", CELERY_OVERRIDE, "--profile", "celery"]
        return [*self.compose, "--env-file", str(self.env_file), "-p", self.project, *files]

    def dc(self, *args: str, check: bool = True, capture: bool = True, launcher: str | None = None) -> str:
        result = subprocess.run(
            [*self.dc_args(launcher), *args], cwd=REPO, env=self.process_env(), capture_output=capture, text=True
        )
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout or "").strip().splitlines()[-5:] if capture else []
            raise CheckFailed(f"`compose {' '.join(args)}` exited {result.returncode}: {' | '.join(detail)}")
        return result.stdout if capture else ""

    def make(self, *args: str) -> None:
        variables = [
            f"ENV_FILE={self.env_file}",
            f"RUN_LAUNCHER={self.launcher}",
            f"EXECUTOR={self.executor}",
            f"COMPOSE={shlex.join(self.compose)}",
        ]
        result = subprocess.run(["make", "--no-print-directory", *args, *variables], cwd=REPO, env=self.process_env())
        if result.returncode != 0:
            raise CheckFailed(f"`make {' '.join(args)}` exited {result.returncode}")

    def container(self, service: str) -> str:
        ids = self.dc("ps", "-q", service).split()
        if not ids:
            raise CheckFailed(f"no container for service {service}")
        return ids[0]

    def inspect(self, container: str) -> dict:
        return json.loads(docker("inspect", container))[0]

    def all_healthy(self) -> bool:
        for service in SERVICES:
            ids = self.dc("ps", "-q", service, check=False).split()
            if not ids:
                return False
            state = self.inspect(ids[0])["State"]
            if not state["Running"] or state.get("Health", {}).get("Status") != "healthy":
                return False
        for service in ONE_SHOT:
            ids = self.dc("ps", "-a", "-q", service, check=False).split()
            state = self.inspect(ids[0])["State"] if ids else {}
            if state.get("Status") != "exited":
                return False
            if state["ExitCode"] != 0:
                raise CheckFailed(f"one-shot service {service} exited {state['ExitCode']}")
        return True

    def locations_loaded(self) -> bool:
        result = subprocess.run(
            [*self.dc_args(), "exec", "-T", "data-manager", "data-manager", "health", "--workspace"],
            cwd=REPO, env=self.process_env(), capture_output=True, text=True,
        )  # fmt: skip
        return result.returncode == 0

    def wait_ready(self, what: str, timeout_s: float = 600) -> float:
        healthy = wait_for(f"{what}: all services healthy", self.all_healthy, timeout_s)
        loaded = wait_for(f"{what}: every location LOADED", self.locations_loaded, 180)
        return healthy + loaded

    def client(self) -> DagsterClient:
        return DagsterClient(url=self.url, timeout=60, max_retries=0)

    def api(self, token: bool = True) -> httpx.Client:
        """The platform API as published on the host, with the bearer token (or without, to see the 401)."""
        headers = {"Authorization": f"Bearer {self.values['PLATFORM_API_TOKEN']}"} if token else {}
        return httpx.Client(base_url=self.api_url, headers=headers, timeout=60)

    def psql(self, sql: str) -> str:
        return self.dc(
            "exec", "-T", "-e", f"PGPASSWORD={self.values['POSTGRES_PASSWORD']}", "postgres",
            "psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "dataplatform", "-tAc", sql,
        ).strip()  # fmt: skip

    def mysql_count(self, table: str) -> int:
        out = self.dc(
            "exec", "-T", "-e", f"MYSQL_PWD={self.values['MYSQL_PASSWORD']}", "mysql",
            "mariadb", "-uroot", "-N", "-e", f"SELECT COUNT(*) FROM sample_shop.{table}",
        )  # fmt: skip
        return int(out.strip())


def docker(*args: str) -> str:
    result = subprocess.run(["docker", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise CheckFailed(f"`docker {' '.join(args)}` exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def launch_retrying(client: DagsterClient, target, give_up_s: float = 90, tags: dict[str, str] | None = None) -> str:
    """Launch as a client should: the webserver's HTTP 500 while its Postgres connection recovers is retried."""
    deadline = time.monotonic() + give_up_s
    while True:
        try:
            return client.launch(target, tags=tags)
        except DagsterGraphQLError as exc:
            if (exc.status_code or 0) < 500 or time.monotonic() > deadline:
                raise
            say(f"webserver answered HTTP {exc.status_code} ({exc.server_message.splitlines()[0][:80]}); retrying")
            time.sleep(3)


def run_pipeline(stack: Stack, location: str, timeout_s: float = 600) -> tuple[str, float]:
    """Launch `<location>_pipeline` with daglab and wait; returns (run id, seconds to SUCCESS)."""
    started = time.monotonic()
    with stack.client() as client:
        run_id = launch_retrying(client, client.resolve_job(f"{location}_pipeline", location=location))
        run = client.wait(run_id, timeout=timeout_s)
    if run.status != "SUCCESS":
        raise CheckFailed(f"{location}_pipeline run {run_id} ended {run.status}")
    return run_id, time.monotonic() - started


def expected_rows(stack: Stack) -> dict[str, int]:
    connector = yaml.safe_load((REPO / "external-connectors" / "source-faker.yaml").read_text())
    return {
        "airbyte_sync": int(connector["config"]["count"]),
        "sample_product_sync": len(load_products()),
        "sql_sync": stack.mysql_count("orders"),
    }


def main_process_pid(container: str, command_part: str | None) -> int:
    """Host pid of the container's process running `command_part` (not tini), or of its PID 1 when None."""
    if command_part is None:
        return int(json.loads(docker("inspect", container))[0]["State"]["Pid"])
    for line in docker("top", container, "-eo", "pid,args").splitlines()[1:]:
        pid, _, args = line.strip().partition(" ")
        if command_part in args and "tini" not in args:
            return int(pid)
    raise CheckFailed(f"no `{command_part}` process in container {container[:12]}")


def kill_and_wait(stack: Stack, service: str, command_part: str | None) -> float:
    """kill -9 of a service's main process from the host (a crash: Docker restarts it); seconds to ready."""
    container = stack.container(service)
    restarts = stack.inspect(container)["RestartCount"]
    os.kill(main_process_pid(container, command_part), 9)
    wait_for(f"{service} restarted after kill -9", lambda: stack.inspect(container)["RestartCount"] > restarts, 60, 1)
    return stack.wait_ready(f"after kill -9 of {service}", timeout_s=240)


def check_pipelines(stack: Stack) -> None:
    say("launching the three pipelines with daglab")
    for location in REPORTING:
        run_id, seconds = run_pipeline(stack, location)
        timings[f"{location}_pipeline_s"] = round(seconds, 1)
        say(f"{location}_pipeline SUCCESS in {seconds:.1f}s (run {run_id})")
    expected = expected_rows(stack)
    for location, table in REPORTING.items():
        rows = int(stack.psql(f"SELECT COUNT(*) FROM reporting.{table}"))
        if rows != expected[location]:
            raise CheckFailed(f"reporting.{table} has {rows} rows, expected {expected[location]}")
        say(f"reporting.{table}: {rows} rows as expected")


def check_platform_api(stack: Stack) -> None:
    """The designer at /designer/, OpenAPI behind the token (401 without), designer writes refused (read-only)."""
    with stack.api(token=False) as anonymous:
        page = anonymous.get("/designer/")
        if page.status_code != 200 or "<html" not in page.text.lower():
            raise CheckFailed(f"/designer/ answered {page.status_code}, not the designer's page")
        status = anonymous.get("/api/openapi.json").status_code
        if status != 401:
            raise CheckFailed(f"/api/openapi.json without the token answered {status}, expected 401")
    with stack.api() as api:
        spec = api.get("/api/openapi.json")
        if spec.status_code != 200 or "/api/pipelines/{pipeline_id}/runs" not in spec.json().get("paths", {}):
            raise CheckFailed(f"/api/openapi.json with the token answered {spec.status_code} without the run routes")
        write = api.post("/api/designer/locations", json={"name": "compose_probe"})
        if write.status_code != 403 or "read-only" not in write.text:
            raise CheckFailed(f"a designer write answered {write.status_code}, expected 403 (read-only): {write.text}")
        # dg in the image, through the API's fork server: the sample's assets, loaded afresh.
        preview = api_call(api.get("/api/designer/locations/sql_sync/preview", params={"refresh": True}), "preview")
        if not any(asset["key"].startswith("pyairbyte_cache/") for asset in preview["assets"]):
            raise CheckFailed(f"the sql_sync preview shows no synced tables: {[a['key'] for a in preview['assets']]}")
    say(
        "platform API: /designer/ served, OpenAPI 200 with the token and 401 without, designer writes 403, "
        f"a cold preview in {preview['duration_s']} s"
    )


# One JSON feed, extracted with json_path and upserted into entities.compose_products: what the API launches.
FEED = {"items": [{"sku": "A-1", "name": "Anvil", "stock": 3}, {"sku": "B-2", "name": "Bolt", "stock": 40}]}


def api_call(response: httpx.Response, what: str) -> dict:
    if response.status_code not in (200, 201):
        raise CheckFailed(f"{what}: HTTP {response.status_code}: {response.text[:300]}")
    return response.json()


def check_universal_pipeline(stack: Stack, timeout_s: float = 300) -> None:
    """Entity, template, artifact and pipeline created over the API; its run launched there reaches SUCCESS."""
    started = time.monotonic()
    # Fields and columns follow the feed's keys: integers stay integers, the rest is text; sku is the key.
    sample = FEED["items"][0]
    fields = [
        {"name": key, "selector": f"$.{key}", "required": key == "sku", "field_type": "integer"}
        if isinstance(value, int)
        else {"name": key, "selector": f"$.{key}", "required": key == "sku"}
        for key, value in sample.items()
    ]
    columns = [{"name": key, "type": "integer" if isinstance(value, int) else "text"} for key, value in sample.items()]
    entity_body = {
        "name": "compose products",
        "table_name": "compose_products",
        "columns": columns,
        "unique_fields": ["sku"],
    }
    with stack.api() as api:
        template = api_call(api.post("/api/templates", json={
            "name": "compose feed", "extraction_strategy": "json_path",
            "strategy_config": {"records_path": "$.items[*]"}, "fields": fields,
        }), "POST /api/templates")  # fmt: skip
        entity = api_call(api.post("/api/entities", json=entity_body), "POST /api/entities")
        artifact = api_call(
            api.post("/api/artifacts", files={"file": ("feed.json", json.dumps(FEED).encode(), "application/json")}),
            "POST /api/artifacts",
        )
        pipeline = api_call(api.post("/api/pipelines", json={
            "name": "compose feed", "template_id": template["id"], "entity_id": entity["id"],
            "artifact_ids": [artifact["id"]], "load_strategy": "upsert",
        }), "POST /api/pipelines")  # fmt: skip
        run_id = api_call(api.post(f"/api/pipelines/{pipeline['id']}/runs"), "POST /api/pipelines/{id}/runs")["run_id"]
        run: dict = {}

        def finished() -> bool:
            nonlocal run
            run = api_call(api.get(f"/api/pipelines/{pipeline['id']}/runs/{run_id}"), "GET run")
            return run.get("status") in FINISHED_STATUSES and run.get("records_extracted") is not None

        wait_for(f"universal pipeline run {run_id}", finished, timeout_s, 1)
    seconds = time.monotonic() - started
    if run["status"] != "SUCCESS":
        raise CheckFailed(f"universal pipeline run {run_id} ended {run['status']}: {run.get('error')}")
    row = stack.psql(
        "SELECT status, records_extracted, records_loaded, records_failed FROM universal_pipelines.pipeline_runs"
        f" WHERE dagster_run_id = '{run_id}'"
    )
    if row != "SUCCESS|2|2|0":
        raise CheckFailed(f"pipeline_runs row of {run_id} is {row!r}, expected SUCCESS|2|2|0")
    rows = stack.psql(
        "SELECT string_agg(sku || ':' || name || ':' || stock, ',' ORDER BY sku) FROM entities.compose_products"
    )
    expected = ",".join(f"{item['sku']}:{item['name']}:{item['stock']}" for item in FEED["items"])
    if rows != expected:
        raise CheckFailed(f"entities.compose_products holds {rows!r}, expected {expected!r}")
    timings["universal_pipeline_api_s"] = round(seconds, 1)
    say(
        f"universal pipeline launched over the API: SUCCESS in {seconds:.1f}s, pipeline_runs row and entity rows as expected"
    )


def check_postgres_restart(stack: Stack) -> None:
    seconds = kill_and_wait(stack, "postgres", None)
    timings["postgres_restart_to_ready_s"] = round(seconds, 1)
    say(f"Postgres back after kill -9 in {seconds:.1f}s; launching at once")
    run_id, _ = run_pipeline(stack, "sql_sync")
    with stack.client() as client:
        stuck = client.runs(["NOT_STARTED"])
    if stuck:
        raise CheckFailed(f"runs left NOT_STARTED after the Postgres restart: {[r.run_id for r in stuck]}")
    say(f"launch after the Postgres restart: SUCCESS (run {run_id}); no run NOT_STARTED")


FAULT_KILLS = (  # service, its process to kill -9 from the host (None: the container's PID 1)
    ("dagster-daemon", "dagster-daemon run"),
    ("dagster-webserver", "dagster-webserver"),
    ("platform-api", "data-manager api"),
)
# Those kills, then a code server's kill and a Postgres restart. Each may fail the attempt in flight, so the runs
# may retry once per fault (`dagster/max_retries`): one attempt at least meets none. The platform default is 2.
FAULTS = len(FAULT_KILLS) + 2


def check_faults_with_runs_in_flight(stack: Stack, timeout_s: float = 1200) -> None:
    """Runs queued and in flight while the daemon, the webserver, the platform API and a code server are killed -9
    and Postgres restarts: each ends SUCCESS, itself or through Dagster's automatic retry; none is left queued or
    in flight; the API answers 503 with Retry-After (never 500) meanwhile, and works again by itself."""
    started = time.monotonic()
    with stack.client() as client:
        target = client.resolve_job("sample_product_sync_pipeline", location="sample_product_sync")
        tags = {"dagster/max_retries": str(FAULTS)}
        submitted = [launch_retrying(client, target, tags=tags) for _ in range(4)]
    wait_for("a run in flight", lambda: bool(runs_with_status(stack, ["STARTED"])), 300, 1)
    statuses: dict[int, int] = {}
    with stack.api() as api:

        def probe() -> None:
            with suppress(httpx.TransportError):
                response = api.get("/api/templates")
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                if response.status_code >= 500 and not (
                    response.status_code == 503 and response.headers.get("retry-after")
                ):
                    raise CheckFailed(f"the API answered {response.status_code} during a fault: {response.text[:200]}")

        for service, command in FAULT_KILLS:
            kill_and_wait(stack, service, command)
            probe()
        container = stack.container("data-manager")
        os.kill(main_process_pid(container, "dagster_code.sample_product_sync"), 9)  # one code server
        stack.dc("restart", "postgres")
        probe()
        stack.wait_ready("after the faults", timeout_s=300)
        wait_for("the API answers again", lambda: api.get("/api/templates").status_code == 200, 120, 2)
    wait_for("every run terminal", lambda: not runs_with_status(stack, list(ACTIVE_STATUSES)), timeout_s, 5)
    with stack.client() as client:
        runs = client.runs()
    succeeded = {r.tags.get("dagster/root_run_id", r.run_id) for r in runs if r.status == "SUCCESS"}
    lost = [run_id for run_id in submitted if run_id not in succeeded]
    if lost:
        raise CheckFailed(f"runs not SUCCESS after the faults, not even on retry: {lost_chains(stack, runs, lost)}")
    retries = sum("dagster/parent_run_id" in r.tags for r in runs)
    timings["faults_with_runs_in_flight_s"] = round(time.monotonic() - started, 1)
    say(f"kill -9 of daemon, webserver, API, a code server and a Postgres restart with 4 runs in flight: all SUCCESS "
        f"({retries} automatic retries), none stuck; API statuses meanwhile {statuses}")  # fmt: skip


def lost_chains(stack: Stack, runs: list, lost: list[str]) -> dict[str, list[str]]:
    """Each lost run's attempts, oldest first, with the status and the root cause of each failure."""
    chains: dict[str, list[str]] = {}
    with stack.client() as client:
        for root in lost:
            attempts = sorted(
                (r for r in runs if r.tags.get("dagster/root_run_id", r.run_id) == root),
                key=lambda r: r.start_time or 0,
            )
            chains[root] = [
                f"{r.run_id[:8]} {r.status}"
                + (f": {run_failure_cause(client.all_logs(r.run_id))[:200]}" if r.status == "FAILURE" else "")
                for r in attempts
            ]
    return chains


def runs_with_status(stack: Stack, statuses: list[str]) -> list:
    with suppress(Exception), stack.client() as client:
        return client.runs(statuses)
    return [None]  # webserver not answering yet: not settled


def run_containers(run_id: str) -> list[str]:
    return docker("ps", "-a", "-q", "--filter", f"label=dagster/run_id={run_id}").split()


def check_docker_launcher(stack: Stack) -> None:
    stack.launcher = "docker"
    say("RUN_LAUNCHER=docker: recreating the launching services with the override")
    stack.make("up")
    stack.wait_ready("RUN_LAUNCHER=docker")
    for service in ("data-manager", "sample-api"):
        mounts = [m["Destination"] for m in stack.inspect(stack.container(service))["Mounts"]]
        if "/var/run/docker.sock" in mounts:
            raise CheckFailed(f"{service} has the Docker socket mounted; only the launching services may")
    with stack.client() as client:
        run_id = client.launch(client.resolve_job("sql_sync_pipeline", location="sql_sync"))
        wait_for(f"run {run_id}'s own container", lambda: bool(run_containers(run_id)), 120, 0.5)
        say(f"run {run_id} runs in container {run_containers(run_id)[0][:12]}; restarting the data-manager")
        stack.dc("restart", "data-manager")
        run = client.wait(run_id, timeout=600)
    if run.status != "SUCCESS":
        raise CheckFailed(f"docker-launched run {run_id} ended {run.status} (a code-server restart must not kill it)")
    wait_for(f"run {run_id}'s container removed", lambda: not run_containers(run_id), 60, 1)
    say(f"docker-launched run {run_id}: SUCCESS through a data-manager restart; its container is removed")
    stack.wait_ready("after the data-manager restart")


def celery_workers_of(stack: Stack, run_id: str) -> list[str]:
    """The Celery workers (node names) that ran the run's steps, from dagster-celery's engine events."""
    document = """query($runId: ID!) { logsForRun(runId: $runId, limit: 20000) { ... on EventConnection { events {
        __typename ... on EngineEvent { metadataEntries { label ... on TextMetadataEntry { text } } } } } } }"""
    with stack.client() as client:
        events = client.execute(document, {"runId": run_id})["logsForRun"]["events"]
    return [
        entry["text"]
        for event in events if event["__typename"] == "EngineEvent"
        for entry in event["metadataEntries"] if entry["label"] == "Celery worker"
    ]  # fmt: skip


def check_celery_workers(stack: Stack) -> None:
    """EXECUTOR=celery with `--scale worker=2`: the job's steps run on both workers; `docker kill` of the worker
    running a step: the step runs again on the other, the run ends SUCCESS and the reporting table is exact."""
    location, job, table = CELERY_JOB.split(":")
    stack.launcher = "default"  # runs in the code servers, steps on the workers
    stack.executor = "celery"
    stack.values.update({"EXECUTOR": "celery", "BROKER_PASSWORD": secrets.token_urlsafe(18)})
    stack.env_file.write_text("".join(f"{k}={v}\n" for k, v in stack.values.items()))
    say("EXECUTOR=celery: broker and two workers")
    started = time.monotonic()
    stack.dc("up", "-d", "--build", "--remove-orphans", "--scale", "worker=2", capture=False)
    stack.wait_ready("EXECUTOR=celery")
    workers = stack.dc("ps", "-q", "worker").split()
    if len(workers) != 2:
        raise CheckFailed(f"expected 2 worker containers, found {len(workers)}")
    timings["celery_up_s"] = round(time.monotonic() - started, 1)
    with stack.client() as client:
        run_id = client.launch(client.resolve_job(job, location=location))
        wait_for(f"a step of {run_id} on a worker", lambda: bool(celery_workers_of(stack, run_id)), 300, 0.5)
        busy = celery_workers_of(stack, run_id)[-1].split("@")[-1]  # the node's host is its container id
        victim = next((c for c in workers if c.startswith(busy)), workers[0])
        docker("kill", victim)
        killed = time.monotonic()
        say(f"docker kill of worker {victim[:12]} while it ran a step of {run_id}")
        run = client.wait(run_id, timeout=900)
    if run.status != "SUCCESS":
        raise CheckFailed(f"{job} run {run_id} ended {run.status} after a worker was killed")
    timings["celery_kill_to_success_s"] = round(time.monotonic() - killed, 1)
    expected = expected_rows(stack)[location] if location in REPORTING else None
    rows = int(stack.psql(f"SELECT COUNT(*) FROM reporting.{table}"))
    if expected is not None and rows != expected:
        raise CheckFailed(f"reporting.{table} has {rows} rows after the killed worker, expected {expected}")
    # Both workers took steps over the two runs: a second run after the kill spreads again.
    with stack.client() as client:
        second = client.launch(client.resolve_job(job, location=location))
        if client.wait(second, timeout=900).status != "SUCCESS":
            raise CheckFailed(f"{job} run {second} failed on the remaining worker")
    nodes = {node.split("@")[-1] for node in celery_workers_of(stack, run_id)}
    say(
        f"{job}: SUCCESS with a worker killed mid-run ({rows} rows in reporting.{table}); workers used: {sorted(nodes)}"
    )
    stack.executor = "multiprocess"


def check_code_change(stack: Stack) -> None:
    marker = f"test-compose change {secrets.token_hex(4)}"
    original = CHANGED_FILE.read_text()
    changed = original.replace('pipeline_description="', f'pipeline_description="{marker}: ', 1)
    if changed == original:
        raise CheckFailed(f"{CHANGED_FILE.name} has no pipeline_description to change")
    try:
        CHANGED_FILE.write_text(changed)
        started = time.monotonic()
        stack.make("up")
        stack.wait_ready("after the rebuild")
        stack.make("reload", "NAME=sql_sync")
        timings["code_change_rebuild_reload_s"] = round(time.monotonic() - started, 1)
    finally:
        CHANGED_FILE.write_text(original)
    with stack.client() as client:
        (job,) = [j for j in client.jobs() if j.name == "sql_sync_pipeline"]
    if marker not in (job.description or ""):
        raise CheckFailed(f"after make up + make reload the job description is still {job.description!r}")
    say(f"code change visible after make up + make reload ({timings['code_change_rebuild_reload_s']}s)")


def print_stats(stack: Stack) -> None:
    ids = stack.dc("ps", "-q").split()
    stats = docker("stats", "--no-stream", "--format", "{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}", *ids)
    print("docker stats (per service):")
    for line in sorted(stats.splitlines()):
        print(f"  {line}")
    sizes = docker("images", "--format", "{{.Repository}}:{{.Tag}}\t{{.Size}}", "data-platform/*")
    print("images:")
    for line in sorted(sizes.splitlines()):
        print(f"  {line}")


def leftovers(project: str) -> list[str]:
    label = f"label=com.docker.compose.project={project}"
    found = docker("ps", "-a", "-q", "--filter", label).split()
    found += docker("volume", "ls", "-q", "--filter", label).split()
    found += docker("network", "ls", "-q", "--filter", f"name={project}").split()
    return found


def tear_down(stack: Stack) -> None:
    say("down -v")
    stack.executor = "celery"  # also the broker and workers, whichever checks ran
    stack.values.setdefault("BROKER_PASSWORD", "unused")
    stack.env_file.write_text("".join(f"{k}={v}\n" for k, v in stack.values.items()))
    stack.dc("down", "-v", "--remove-orphans", launcher="docker", check=False)
    stack.env_file.unlink(missing_ok=True)
    left = leftovers(stack.project)
    if left:
        raise CheckFailed(f"down -v left {len(left)} container(s)/volume(s)/network(s) of {stack.project}")
    say(f"down -v left no container, volume or network of {stack.project}")


def diagnose(stack: Stack) -> None:
    with suppress(Exception):
        print(stack.dc("ps", check=False), file=sys.stderr)
        for service in (*SERVICES, *ONE_SHOT):
            print(f"--- last log lines of {service}", file=sys.stderr)
            print(stack.dc("logs", "--tail", "40", "--no-color", service, check=False), file=sys.stderr)


def main() -> int:
    try:
        docker("info", "--format", "{{.ServerVersion}}")
    except (CheckFailed, FileNotFoundError) as exc:
        print(
            f"error: no Docker engine answers ({exc}); start one (../shared/tools/docker/start-dockerd)",
            file=sys.stderr,
        )
        return 2
    stack = Stack()
    say(f"project {stack.project}, webserver on {stack.url}, compose: {' '.join(stack.compose)}")
    ok = False
    try:
        started = time.monotonic()
        stack.dc("build", capture=False)
        timings["build_s"] = round(time.monotonic() - started, 1)
        say(f"images built in {timings['build_s']}s")
        started = time.monotonic()
        stack.make("up")
        stack.wait_ready("first start")
        timings["up_to_healthy_and_loaded_s"] = round(time.monotonic() - started, 1)
        say(f"all services healthy and every location LOADED in {timings['up_to_healthy_and_loaded_s']}s")
        check_pipelines(stack)
        check_platform_api(stack)
        check_universal_pipeline(stack)
        stack.dc("exec", "-T", "data-manager", "data-manager", "validate")
        say("`exec -T data-manager data-manager validate`: exit 0")
        stack.dc("exec", "-T", "data-manager", "tesseract", "--version")
        say("tesseract (the ocr_text strategy) is in the data-manager image")
        timings["data_manager_kill9_to_loaded_s"] = round(kill_and_wait(stack, "data-manager", "data-manager serve"), 1)
        say(f"data-manager back after kill -9, every location LOADED, in {timings['data_manager_kill9_to_loaded_s']}s")
        check_postgres_restart(stack)
        check_faults_with_runs_in_flight(stack)
        check_docker_launcher(stack)
        check_celery_workers(stack)
        check_code_change(stack)
        print_stats(stack)
        ok = True
    except CheckFailed as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        diagnose(stack)
    except Exception as exc:  # e.g. a GraphQL error from daglab: still diagnosed and torn down
        print(f"FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        diagnose(stack)
    finally:
        try:
            tear_down(stack)
        except CheckFailed as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            ok = False
    timings["total_s"] = round(time.monotonic() - STARTED, 1)
    print(json.dumps({"test_compose": "passed" if ok else "failed", **timings}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
