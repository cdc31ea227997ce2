"""`make soak MINUTES=N`: the platform under mixed load with faults injected on a schedule; one JSON line.

It starts its own `make dev` stack (`data-manager dev`) on a temporary copy of the repository, on free ports,
with the embedded Postgres (so it may kill and restart it) and a throw-away MariaDB database for `sql_sync`.
For N minutes it submits a mix: `sample_product_sync_pipeline` (Airbyte sync + dbt) and `sql_sync_pipeline`
(table sync + dbt) over GraphQL, a universal pipeline over the platform API, designer previews and edits. On a
schedule it injects faults, in turn: kill -9 of a code server, of a run worker, of the daemon, of the
webserver, of the platform API and of the Postgres postmaster, a Postgres restart (fast shutdown), a
broken YAML pushed through the designer API (refused with 4xx, nothing written), and a full disk under the
runs' storage folder (`disk_full`, below). Then it waits for every run to end, Ctrl-Cs the stack and checks:

- every run is terminal (`stuck`: runs still queued or in flight), and every run submitted ended SUCCESS,
  itself or through Dagster's automatic retries (`lost`: those that did not, each with its attempts' causes in
  `lost_chains`). Each fault fires once and one run may be hit by several (they come every N*60/(faults+1) s),
  so the jobs it launches over GraphQL may retry once per fault (`dagster/max_retries`), more than the
  platform's default: one attempt at least then meets no fault, and a run still lost failed for another reason;
- the target tables hold the expected rows exactly once (products, shop orders, the pipeline's entity);
- the API never answered 500 or a 503 without Retry-After;
- no process of the stack outlived the Ctrl-C (`orphans`);
- over the last half, no long-lived process grew its RSS by more than 10 % (`rss_growth`, per process) or
  leaked file descriptors (`fd_growth`).

`disk_full`: uploaded artifacts live in Postgres; what runs write to a folder is Dagster's local artifact
storage, `DAGSTER_HOME/storage` (step outputs and compute logs). With this fault the soak mounts a small tmpfs
over the stack's own storage folder (inside its temporary copy, never a user's) before the stack starts and
unmounts it at the end. The fault fills it, launches the universal pipeline, which must FAIL with one line
naming ENOSPC (no traceback) and nothing counted as loaded, leaves no temporary or partial output file, then
frees the space: the run's automatic retry must SUCCEED with the entity's exact rows (the usual end checks).
Mounting needs root (CAP_SYS_ADMIN); without it the fault is a named `fault_problems` entry, not skipped silently.

`--compose` (`make soak SOAK_MODE=compose`): the same load, fault schedule, end checks and JSON line against a
throw-away project of the Compose stack (docker-compose.yaml, the images its Dockerfiles build); faults are
`docker kill` of a service's container (started again 3 s later) and `docker restart` of Postgres, RSS per
container from `docker stats --no-stream` (see ComposeStack).

Exit codes: 0 every check passed, 1 a check failed, 2 bad input or a missing server (named).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil
import psycopg
import pymysql
import yaml

from daglab import DagsterClient
from daglab.errors import DaglabError
from daglab.models import FINISHED_STATUSES
from data_manager.dagster_private_api import RUN_WORKER_MODULE
from data_manager.process_groups import argv_of, free_port
from data_manager.run_errors import run_failure_cause
from data_manager.stack_runtime import free_port_offset

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # copy_prepared_files is test support
from prepared_files import copy_prepared_files  # noqa: E402

RETRY_WAIT_S = 120  # how long a failed run may wait for its retry before it counts as lost
FORKSERVER = "from multiprocessing.forkserver import main"
JOBS = {"sample_product_sync": "sample_product_sync_pipeline", "sql_sync": "sql_sync_pipeline"}
FAULTS = (
    "code_server", "run_worker", "daemon", "webserver", "api", "postgres_kill", "postgres_restart", "broken_yaml",
    "disk_full",
)  # fmt: skip
# The faults of --compose: each a `docker kill` (started again) or `docker restart` of the service's container.
COMPOSE_FAULTS = ("code_server", "daemon", "webserver", "api", "postgres_kill", "postgres_restart")
RSS_LIMIT_PCT = 10.0
ENTITY_ROWS = 40
RUNS_QUERY = """
query Runs($cursor: String) {
  runsOrError(limit: 500, cursor: $cursor) {
    ... on Runs { results { runId status jobName tags { key value } } }
  }
}
"""


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- the stack under test ------------------------------------------------------------------------------
def role_of(process: psutil.Process) -> str | None:
    """Which long-lived role a process of the stack plays (None: short-lived, e.g. a run worker or a backend)."""
    try:
        argv = argv_of(process.cmdline())
        parent = process.parent()
        parent_argv = argv_of(parent.cmdline()) if parent else []
    except psutil.Error:
        return None
    joined = " ".join(argv)
    location = next((a.split(".", 1)[1] for a in argv if a.startswith("dagster_code.")), "")
    if argv and argv[0].endswith("/postgres") and "-D" in argv:
        return "postgres"
    if FORKSERVER in joined:
        if FORKSERVER in " ".join(parent_argv):
            return None  # a run worker (or a dg command) forked from it
        if "data_manager.cli" in parent_argv and "api" in parent_argv:
            return "dg-forks"  # the platform API's forkserver for dg commands
        if "data_manager.cli" in parent_argv and "serve" in parent_argv:
            return "code-server-forks"  # the forkserver every code server is forked from (CODE_SERVER_START=fork)
        parent_location = next((a.split(".", 1)[1] for a in parent_argv if a.startswith("dagster_code.")), "")
        return f"forkserver:{parent_location}"
    if "code-server" in argv and "start" in argv:
        return f"code-server:{location}"
    if "api" in argv and "grpc" in argv and location:
        return f"grpc:{location}"
    if "data_manager.cli" in argv:
        command = argv[argv.index("data_manager.cli") + 1 :]
        return {"serve": "serve", "api": "api", "dev": "dev"}.get(command[0] if command else "")
    if any(part.endswith("dagster-webserver") for part in argv):
        return "webserver"
    if any(part.endswith("dagster-daemon") for part in argv) and "run" in argv:
        return "daemon"
    if "sample_api" in argv:
        return "sample-api"
    return None


def run_workers(root: psutil.Process) -> list[psutil.Process]:
    """Processes running a run: forked from a code server's forkserver."""
    found = []
    for process in root.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            parent = process.parent()
            forkserver = " ".join(parent.cmdline()) if parent else ""
            if (
                FORKSERVER in " ".join(process.cmdline())
                and FORKSERVER in forkserver
                and RUN_WORKER_MODULE in forkserver
            ):
                found.append(process)
    return found


@dataclass
class DevStack:
    home: Path
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None

    @property
    def webserver(self) -> str:
        return f"http://127.0.0.1:{self.env['DAGSTER_WEBSERVER_PORT']}"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.env['PLATFORM_API_PORT']}"

    def start(self, timeout_s: float) -> None:
        log_file = open(self.data_dir / "stack.log", "w")  # noqa: SIM115 - lives as long as the stack
        self.process = subprocess.Popen(
            [sys.executable, "-m", "data_manager.cli", "dev", "--no-dbt-prepare"],
            env=self.env, cwd=self.home, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"error: `data-manager dev` exited with {self.process.returncode}: {self.tail()}")
            with contextlib.suppress(DaglabError, httpx.HTTPError):
                with DagsterClient(url=self.webserver, timeout=10, max_retries=0) as client:
                    locations = client.locations()
                loaded = {loc.name for loc in locations if loc.load_status == "LOADED" and loc.error is None}
                if {*JOBS, "universal_pipelines"} <= loaded and httpx.get(f"{self.api}/api/health").is_success:
                    return
            time.sleep(2)
        raise SystemExit(f"error: the stack did not load within {timeout_s:.0f}s: {self.tail()}")

    def root(self) -> psutil.Process:
        assert self.process is not None
        return psutil.Process(self.process.pid)

    def roles(self) -> dict[str, psutil.Process]:
        found = {"dev": self.root()}
        for process in self.root().children(recursive=True):
            role = role_of(process)
            if role is not None and role not in found:
                found[role] = process
        return found

    def stop(self, timeout_s: float = 180) -> list[str]:
        """Ctrl-C, as a user stops `make dev`; returns the stack's processes still alive 20 s after it ended."""
        assert self.process is not None
        descendants = self.root().children(recursive=True)
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return [f"`data-manager dev` did not stop within {timeout_s:.0f}s"]
        _, alive = psutil.wait_procs(descendants, timeout=20)
        left = []
        for process in alive:
            with contextlib.suppress(psutil.Error):
                if process.status() != psutil.STATUS_ZOMBIE:
                    left.append(f"{process.pid}: {' '.join(process.cmdline())[:160]}")
                    process.kill()  # the soak cleans up after itself; the leftover is reported
        return left

    # -- what the faults, the sampler and the end checks ask of a stack (ComposeStack answers the same) --
    designer_writes = True  # the designer may write files (read-only in Compose)
    code_server = "code-server:sample_product_sync"

    @property
    def api_headers(self) -> dict[str, str]:
        return {}

    def kill(self, role: str) -> str:
        if role == self.code_server and role not in self.roles():
            role = "grpc:sample_product_sync"  # CODE_SERVER_MODE=grpc
        process = self.roles()[role]
        process.kill()
        return f"kill -9 {role} (pid {process.pid})"

    def restart_postgres(self) -> str:
        postmaster = self.roles()["postgres"]
        postmaster.send_signal(signal.SIGINT)  # fast shutdown, as `pg_ctl restart -m fast` begins
        return f"fast shutdown of postgres (pid {postmaster.pid}); make dev starts it again"

    def resources(self) -> list[tuple[str, str, int, int]]:
        """(role, process identity, RSS bytes, open fds) of every long-lived process."""
        found = []
        with contextlib.suppress(psutil.Error):
            for role, process in self.roles().items():
                with contextlib.suppress(psutil.Error):
                    found.append((role, str(process.pid), process.memory_info().rss, process.num_fds()))
        return found

    sample_every_s = 5

    def count(self, query: str) -> tuple | None:
        """The row `query` answers in the platform's database (None when it fails, e.g. no such table)."""
        pg = {"host": "127.0.0.1", "port": self.env["EMBEDDED_POSTGRES_PORT"], "user": "postgres"}
        try:
            with psycopg.connect(**pg, dbname="dataplatform") as conn:
                return conn.execute(query).fetchone()
        except psycopg.Error:
            return None

    def source_orders(self) -> int:
        with mysql(self.env, self.env["MYSQL_DB"]) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM orders")
            return cursor.fetchone()[0]

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.data_dir / "stack.log").read_text(errors="replace").splitlines()[-lines:])
        return ""


class ComposeStack:
    """The project's Compose stack (docker-compose.yaml, images from its Dockerfiles) as a throw-away project.

    `make test-compose`'s Stack brings it up: random passwords in a 0600 env file, free ports, its own project
    name. Faults are `docker kill` of a service's container, started again a moment later (a `docker kill`
    counts as a manual stop, so Docker's restart policy leaves it down: the operator's `docker start` here), and
    `docker restart` of Postgres. RSS per container from `docker stats --no-stream`.
    """

    designer_writes = False  # the designer is read-only in Compose (writes answer 403)
    code_server = "code_server"
    sample_every_s = 10  # `docker stats --no-stream` takes about 2 s per call
    SERVICES = {
        "code_server": "data-manager", "daemon": "dagster-daemon", "webserver": "dagster-webserver",
        "api": "platform-api", "postgres": "postgres",
    }  # fmt: skip

    def __init__(self) -> None:
        from test_compose import Stack

        self.compose = Stack()
        self.webserver, self.api = self.compose.url, self.compose.api_url

    @property
    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.compose.values['PLATFORM_API_TOKEN']}"}

    def start(self, timeout_s: float) -> None:
        from test_compose import CheckFailed

        try:
            self.compose.make("up")  # `up -d --build`: the images from the project's Dockerfiles
            self.compose.wait_ready("first start", timeout_s=timeout_s)
        except CheckFailed as exc:
            raise SystemExit(f"error: the Compose stack did not start: {exc}") from None

    def container(self, role: str) -> str:
        return self.compose.container(self.SERVICES[role])

    def kill(self, role: str) -> str:
        container = self.container(role)
        subprocess.run(["docker", "kill", container], check=True, capture_output=True)
        time.sleep(3)
        subprocess.run(["docker", "start", container], check=True, capture_output=True)
        return f"docker kill {self.SERVICES[role]} ({container[:12]}), docker start 3 s later"

    def restart_postgres(self) -> str:
        container = self.container("postgres")
        subprocess.run(["docker", "restart", container], check=True, capture_output=True)
        return f"docker restart postgres ({container[:12]})"

    def resources(self) -> list[tuple[str, str, int, int]]:
        """(service, container and its PID 1, memory usage bytes, 0) of every running container of the project."""
        ids = self.compose.dc("ps", "-q", check=False).split()
        if not ids:
            return []
        inspected = subprocess.run(
            ["docker", "inspect", "-f", '{{.Id}} {{.State.Pid}} {{index .Config.Labels "com.docker.compose.service"}}',
             *ids], capture_output=True, text=True,
        ).stdout.split("\n")  # fmt: skip
        services = {line.split()[0][:12]: line.split()[1:] for line in inspected if len(line.split()) == 3}
        stats = subprocess.run(
            ["docker", "stats", "--no-stream", "--format", "{{.ID}} {{.MemUsage}}", *ids],
            capture_output=True, text=True,
        ).stdout  # fmt: skip
        found = []
        for line in stats.splitlines():
            container, usage = line.split(" ", 1)
            if container[:12] in services and services[container[:12]][0] != "0":
                pid, service = services[container[:12]]
                found.append((service, f"{container[:12]}:{pid}", memory_bytes(usage.split("/")[0]), 0))
        return found

    def count(self, query: str) -> tuple | None:
        from test_compose import CheckFailed

        try:
            return tuple(int(value) for value in self.compose.psql(query).split("|"))
        except (CheckFailed, ValueError):
            return None

    def source_orders(self) -> int:
        return self.compose.mysql_count("orders")

    def stop(self, keep: bool = False) -> list[str]:
        """`down -v` (unless kept); the project's containers still there afterwards."""
        if not keep:
            self.compose.dc("down", "-v", "--remove-orphans", check=False)
            self.compose.env_file.unlink(missing_ok=True)
        left = subprocess.run(
            ["docker", "ps", "-a", "-q", "--filter", f"label=com.docker.compose.project={self.compose.project}"],
            capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        return [] if keep else left


def memory_bytes(text: str) -> int:
    """`docker stats`' "123.4MiB" as bytes."""
    text = text.strip()
    units = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "kB": 1000, "MB": 1000**2, "GB": 1000**3, "B": 1}
    unit = next(u for u in units if text.endswith(u))
    return int(float(text[: -len(unit)]) * units[unit])


def copy_repository(target: Path) -> Path:
    """Tracked and new files of the checkout, with the prepared dbt manifest: designer edits land in the copy."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        source = REPO / relative
        if source.is_file() and not source.is_symlink():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    copy_prepared_files(REPO, target)
    return target


def mysql_settings() -> dict[str, str]:
    return {
        "MYSQL_HOST": os.environ.get("MYSQL_HOST", "127.0.0.1"),
        "MYSQL_PORT": os.environ.get("MYSQL_PORT", "3306"),
        "MYSQL_USER": os.environ.get("MYSQL_USER", "root"),
        "MYSQL_PASSWORD": os.environ.get("MYSQL_PASSWORD", ""),
    }


def mysql(settings: dict[str, str], database: str | None = None) -> pymysql.connections.Connection:
    try:
        return pymysql.connect(
            host=settings["MYSQL_HOST"], port=int(settings["MYSQL_PORT"]), user=settings["MYSQL_USER"],
            password=settings["MYSQL_PASSWORD"], database=database, autocommit=True, connect_timeout=5,
        )  # fmt: skip
    except pymysql.MySQLError as exc:
        raise SystemExit(
            f"error: MariaDB/MySQL at {settings['MYSQL_HOST']}:{settings['MYSQL_PORT']} is needed for sql_sync: {exc}"
        ) from None


class SmallDisk:
    """A tmpfs of `size` mounted over `path` (a folder of the soak's own temporary copy), filled and freed."""

    def __init__(self, path: Path, inside: Path, size: str = "256m") -> None:
        if not path.resolve().is_relative_to(inside.resolve()):
            raise SystemExit(f"error: refusing to mount over {path}: not under the soak's temporary {inside}")
        self.path, self.size, self.mounted, self.problem = path, size, False, ""
        self.filler = path / ".soak-filler"

    def mount(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.size},mode=0755", "soak-disk", str(self.path)],
            capture_output=True, text=True,
        )  # fmt: skip
        self.mounted = result.returncode == 0
        if not self.mounted:
            self.problem = f"cannot mount a tmpfs over {self.path} (needs root): {result.stderr.strip()[:160]}"

    def fill(self) -> int:
        """Write the filler until the disk answers ENOSPC; the bytes written. Only on the mounted tmpfs: never
        on the disk below it (the folder is checked to be a mount point, and the filler stops at its size)."""
        stats = os.statvfs(self.path)
        if not os.path.ismount(self.path) or stats.f_blocks * stats.f_frsize > 1 << 30:
            raise OSError(errno.EINVAL, f"{self.path} is not the soak's small tmpfs any more: not filling it")
        written, most = 0, stats.f_blocks * stats.f_frsize
        descriptor = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            for chunk in (b"\0" * (1 << 20), b"\0" * 4096, b"\0"):
                try:
                    while written <= most:
                        written += os.write(descriptor, chunk)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
        finally:
            os.close(descriptor)
        return written

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def leftovers(self) -> list[str]:
        """Temporary files an interrupted atomic write left behind."""
        return [str(p.relative_to(self.path)) for p in self.path.rglob(".*.tmp")]

    def unmount(self) -> None:
        if self.mounted and subprocess.run(["umount", str(self.path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(self.path)], check=False)  # still busy: detach it now
        self.mounted = False


# -- what the soak records -------------------------------------------------------------------------------
@dataclass
class Record:
    started: float = field(default_factory=time.monotonic)
    faults: Counter = field(default_factory=Counter)
    fault_problems: list[str] = field(default_factory=list)
    api_statuses: Counter = field(default_factory=Counter)
    api_problems: list[str] = field(default_factory=list)
    submitted: list[str] = field(default_factory=list)
    submit_failures: Counter = field(default_factory=Counter)
    samples: list[tuple[float, str, int, int, int]] = field(default_factory=list)  # t, role, pid, rss, fds
    lock: threading.Lock = field(default_factory=threading.Lock)

    def api(self, method: str, url: str, response: httpx.Response) -> None:
        with self.lock:
            self.api_statuses[response.status_code] += 1
            if response.status_code >= 500 and response.status_code != 503:
                self.api_problems.append(f"{method} {url}: {response.status_code} {response.text[:200]}")
            elif response.status_code == 503 and "retry-after" not in response.headers:
                self.api_problems.append(f"{method} {url}: 503 without Retry-After")
            if "Traceback" in response.text:
                self.api_problems.append(f"{method} {url}: a traceback in the response")


class Soak:
    def __init__(
        self,
        stack: DevStack | ComposeStack,
        record: Record,
        minutes: float,
        faults: list[str],
        disk: SmallDisk | None = None,
    ):
        self.stack = stack
        self.disk = disk
        self.record = record
        self.deadline = time.monotonic() + minutes * 60
        self.faults = faults
        self.fault_interval = minutes * 60 / (len(faults) + 1) if faults else 0
        self.max_retries = max(len(faults), platform_max_retries())  # an attempt free of faults, at least
        self.stop = threading.Event()
        self.http = httpx.Client(base_url=stack.api, headers=stack.api_headers, timeout=120)
        self.pipeline_id = 0

    # -- API calls, each recorded; 503 and a dropped connection are retried as a client should ---------
    def call(self, method: str, url: str, retry_for_s: float = 90, **kwargs) -> httpx.Response | None:
        give_up = time.monotonic() + retry_for_s
        while True:
            try:
                response = self.http.request(method, url, **kwargs)
                self.record.api(method, url, response)
                if response.status_code != 503:
                    return response
                wait = float(response.headers.get("retry-after", "5"))
            except httpx.TransportError:  # the API itself is restarting
                wait = 2
            if time.monotonic() + wait > give_up:
                return None
            time.sleep(wait)

    def setup_pipeline(self) -> None:
        """One universal pipeline over the API: JSON items upserted by sku into entities.soak_items."""
        document = {"items": [{"sku": f"S-{i:03d}", "qty": i} for i in range(ENTITY_ROWS)]}
        template = self.call("POST", "/api/templates", json={
            "name": "soak items", "extraction_strategy": "json_path", "strategy_config": {"records_path": "$.items[*]"},
            "fields": [{"name": "sku", "selector": "$.sku", "required": True},
                       {"name": "qty", "field_type": "integer", "selector": "$.qty"}],
        })  # fmt: skip
        entity = self.call("POST", "/api/entities", json={
            "name": "soak items", "table_name": "soak_items", "unique_fields": ["sku"],
            "columns": [{"name": "sku", "type": "text"}, {"name": "qty", "type": "integer"}],
        })  # fmt: skip
        artifact = self.call(
            "POST", "/api/artifacts", files={"file": ("items.json", json.dumps(document).encode(), "application/json")}
        )
        for what, response in (("template", template), ("entity", entity), ("artifact", artifact)):
            if response is None or response.status_code != 201:
                raise SystemExit(f"error: creating the soak's {what} failed: {response and response.text[:300]}")
        pipeline = self.call("POST", "/api/pipelines", json={
            "name": "soak items", "template_id": template.json()["id"], "entity_id": entity.json()["id"],
            "artifact_ids": [artifact.json()["id"]], "load_strategy": "upsert",
        })  # fmt: skip
        if pipeline is None or pipeline.status_code != 201:
            raise SystemExit(f"error: creating the soak's pipeline failed: {pipeline and pipeline.text[:300]}")
        self.pipeline_id = pipeline.json()["id"]

    # -- the load -------------------------------------------------------------------------------------
    def unfinished(self) -> int:
        with contextlib.suppress(DaglabError, httpx.HTTPError):
            return sum(status not in FINISHED_STATUSES for status in all_runs(self.stack).values())
        return 0

    def launch_job(self, location: str) -> None:
        try:
            with DagsterClient(url=self.stack.webserver, timeout=60, max_retries=3) as client:
                target = client.resolve_job(JOBS[location], location=location)
                run_id = client.launch(target, tags={"dagster/max_retries": str(self.max_retries)})
            self.record.submitted.append(run_id)
        except DaglabError as exc:
            self.record.submit_failures[f"{location}: {type(exc).__name__}"] += 1

    def launch_pipeline(self) -> None:
        response = self.call("POST", f"/api/pipelines/{self.pipeline_id}/runs")
        if response is not None and response.status_code == 201:
            self.record.submitted.append(response.json()["run_id"])
        else:
            self.record.submit_failures[f"pipeline: {response.status_code if response else 'gave up'}"] += 1

    def designer(self, cycle: int) -> None:
        """A preview, then an edit: a cron schedule added to sample_product_sync and removed again."""
        base = "/api/designer/locations/sample_product_sync"
        self.call("GET", f"{base}/preview")
        if not self.stack.designer_writes:
            return
        name = f"soak_schedule_{cycle}"
        created = self.call("POST", f"{base}/schedules", json={
            "name": name, "job": "sample_product_sync_pipeline", "cron": "0 6 * * *",
        })  # fmt: skip
        if created is not None and created.status_code == 201:
            self.call("DELETE", f"{base}/components/{name}")
        else:
            detail = created.json().get("errors", [{}])[0].get("message", "")[:80] if created is not None else ""
            self.record.submit_failures[f"designer edit: {created.status_code if created else 'gave up'} {detail}"] += 1

    def load(self) -> None:
        cycle = 0
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            if self.unfinished() < 4:  # keep the queue short: the drain at the end stays bounded
                for location in JOBS:
                    self.launch_job(location)
                self.launch_pipeline()
            if cycle % 2 == 0:
                self.designer(cycle)
            cycle += 1
            self.stop.wait(15)

    # -- the faults ------------------------------------------------------------------------------------
    def inject(self) -> None:
        for index, fault in enumerate(self.faults):
            at = self.record.started + (index + 1) * self.fault_interval
            if self.stop.wait(max(0.0, at - time.monotonic())):
                return
            try:
                done = getattr(self, f"fault_{fault}")()
            except (psutil.Error, OSError, KeyError) as exc:
                done = f"failed: {exc}"
            with self.record.lock:
                self.record.faults[fault] += 1
            log(f"fault {fault}: {done}")

    def fault_code_server(self) -> str:
        return self.stack.kill(self.stack.code_server)

    def fault_run_worker(self) -> str:
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up:
            workers = run_workers(self.stack.root())
            if workers:
                workers[0].kill()
                return f"kill -9 run worker (pid {workers[0].pid})"
            if not self.unfinished():
                self.launch_job("sql_sync")
            time.sleep(0.5)
        self.record.fault_problems.append("run_worker: no run worker appeared within 60 s")
        return "no run worker to kill"

    def fault_daemon(self) -> str:
        return self.stack.kill("daemon")

    def fault_webserver(self) -> str:
        return self.stack.kill("webserver")

    def fault_api(self) -> str:
        return self.stack.kill("api")

    def fault_postgres_kill(self) -> str:
        return self.stack.kill("postgres")

    def fault_postgres_restart(self) -> str:
        return self.stack.restart_postgres()

    def fault_broken_yaml(self) -> str:
        path = self.stack.home / "app/dagster_code/sample_product_sync/src/dagster_code/sample_product_sync/defs"
        defs = path / "products_sync" / "defs.yaml"
        before = defs.read_bytes()
        response = self.call(
            "PUT", "/api/designer/locations/sample_product_sync/components/products_sync",
            json={"yaml": "type: data_manager.components.AirbyteSyncComponent\nattributes: [connector: {\n"},
        )  # fmt: skip
        status = response.status_code if response is not None else "no answer"
        if response is None or not (400 <= response.status_code < 500) or not response.json().get("errors"):
            self.record.fault_problems.append(f"broken_yaml: answered {status}, not a 4xx with errors")
        if defs.read_bytes() != before:
            self.record.fault_problems.append("broken_yaml: the refused YAML changed defs.yaml")
        return f"PUT of a broken defs.yaml answered {status}"

    def fault_disk_full(self) -> str:
        if self.disk is None or not self.disk.mounted:
            problem = self.disk.problem if self.disk else "no small disk was mounted"
            self.record.fault_problems.append(f"disk_full: {problem}")
            return f"not injected: {problem}"
        try:
            filled = self.disk.fill()
        except OSError as exc:
            self.disk.free()
            self.record.fault_problems.append(f"disk_full: {exc}")
            return f"not injected: {exc}"
        try:
            launched = self.call("POST", f"/api/pipelines/{self.pipeline_id}/runs")
            if launched is None or launched.status_code != 201:
                self.record.fault_problems.append(f"disk_full: launching answered {launched and launched.status_code}")
                return "launch failed"
            run_id = launched.json()["run_id"]
            self.record.submitted.append(run_id)  # lost unless its retry succeeds once the space is back
            run, give_up = {}, time.monotonic() + 240
            while time.monotonic() < give_up and run.get("status") not in FINISHED_STATUSES:
                time.sleep(1)
                answer = self.call("GET", f"/api/pipelines/{self.pipeline_id}/runs/{run_id}")
                run = answer.json() if answer is not None and answer.status_code == 200 else {}
        finally:
            self.disk.free()
        error = run.get("error") or ""
        for problem in disk_full_problems(run, error, self.disk.leftovers()):
            self.record.fault_problems.append(f"disk_full: {problem}")
        return (
            f"filled {filled >> 20} MiB; the pipeline run {run.get('status')}: {error.splitlines()[0] if error else ''}"
        )

    # -- resources -------------------------------------------------------------------------------------
    def sample(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            for role, identity, rss, fds in self.stack.resources():
                self.record.samples.append((now, role, identity, rss, fds))
            self.stop.wait(self.stack.sample_every_s)


def disk_full_problems(run: dict, error: str, leftovers: list[str]) -> list[str]:
    """What a run launched on a full disk did wrong: it must fail, in one line per step naming ENOSPC."""
    problems = []
    if run.get("status") != "FAILURE":
        problems.append(f"the run ended {run.get('status') or 'nowhere within 240 s'}, not FAILURE")
    elif "ENOSPC" not in error or "Traceback" in error or any("ENOSPC" not in line for line in error.splitlines()):
        problems.append(f"the error is not one line per step naming ENOSPC: {error[:300]!r}")
    if run.get("records_loaded"):
        problems.append(f"{run['records_loaded']} records counted as loaded by the failed run")
    if leftovers:
        problems.append(f"partial files left: {leftovers[:5]}")
    return problems


def all_runs(stack: DevStack | ComposeStack) -> dict[str, str]:
    return {run["runId"]: run["status"] for run in run_details(stack)}


def run_details(stack: DevStack | ComposeStack) -> list[dict]:
    with DagsterClient(url=stack.webserver, timeout=60, max_retries=3) as client:
        data = client.execute(RUNS_QUERY, {"cursor": None})
    return data["runsOrError"]["results"]


def _tags(run: dict) -> dict[str, str]:
    return {tag["key"]: tag["value"] for tag in run["tags"]}


def runs_by_root(runs: list[dict]) -> dict[str, list[dict]]:
    """Runs grouped by the run they retry (`dagster/root_run_id`; a first attempt is its own root)."""
    chains: dict[str, list[dict]] = defaultdict(list)
    for run in runs:
        chains[_tags(run).get("dagster/root_run_id", run["runId"])].append(run)
    return chains


def outcome(runs: list[dict], submitted: list[str]) -> dict:
    """Runs, retries, lost and stuck: a submitted run is lost unless it or one of its retries succeeded."""
    by_root = runs_by_root(runs)
    lost = [run_id for run_id in submitted if not any(r["status"] == "SUCCESS" for r in by_root.get(run_id, []))]
    return {
        "runs": len(submitted),
        "runs_all": len(runs),
        "retries": sum(any(t["key"] == "dagster/parent_run_id" for t in r["tags"]) for r in runs),
        "failed_then_retried": sum(
            1 for run_id in submitted if len(by_root.get(run_id, [])) > 1 and run_id not in lost
        ),
        "lost": len(lost),
        "lost_runs": lost[:10],
        "stuck": sum(r["status"] not in FINISHED_STATUSES for r in runs),
        "statuses": dict(Counter(r["status"] for r in runs)),
    }


def run_failure_causes(stack: DevStack | ComposeStack, runs: list[dict], limit: int = 40) -> dict[str, str]:
    """Each failed run's first failure message (shortened): every failure should say why."""
    causes: dict[str, str] = {}
    with DagsterClient(url=stack.webserver, timeout=60, max_retries=3) as client:
        for run in [r for r in runs if r["status"] == "FAILURE"][:limit]:
            causes[run["runId"]] = run_failure_cause(client.all_logs(run["runId"]))[:200]
    return causes


@functools.cache
def platform_max_retries() -> int:
    """platform/dagster.yaml's `run_retries.max_retries`: how often a failed run is retried by default."""
    return int(yaml.safe_load((REPO / "platform" / "dagster.yaml").read_text())["run_retries"]["max_retries"])


def retries_due(runs: list[dict], max_retries: int | None = None) -> list[str]:
    """Failed runs the daemon is still to retry: no retry of them yet, their chain has not succeeded and has
    attempts left (platform/dagster.yaml's `run_retries.max_retries`, or the run's `dagster/max_retries` tag)."""
    max_retries = platform_max_retries() if max_retries is None else max_retries
    parents = {_tags(run).get("dagster/parent_run_id") for run in runs}
    due = []
    for chain in runs_by_root(runs).values():
        if any(run["status"] == "SUCCESS" for run in chain):
            continue
        allowed = int(_tags(chain[0]).get("dagster/max_retries", max_retries))
        for run in chain:
            if run["status"] == "FAILURE" and run["runId"] not in parents and len(chain) <= allowed:
                due.append(run["runId"])
    return due


def lost_chains(runs: list[dict], lost: list[str], causes: dict[str, str]) -> dict[str, list[str]]:
    """Each lost run's attempts in order, as `status: first failure` (why it and its retries failed)."""
    by_root = runs_by_root(runs)
    chains: dict[str, list[str]] = {}
    for root in lost:
        attempts = sorted(by_root.get(root, []), key=lambda run: int(_tags(run).get("dagster/retry_number", "0")))
        chains[root] = [f"{run['status']}: {causes.get(run['runId'], '')}".rstrip(": ") for run in attempts]
    return chains


def growth(samples: list[tuple[float, str, int, int, int]], since: float) -> tuple[dict[str, float], dict[str, int]]:
    """Per role, over the samples after `since` of its last process: RSS growth in % and fd growth in count."""
    by_role: dict[str, list[tuple[float, int, int, int]]] = defaultdict(list)
    for t, role, pid, rss, fds in samples:
        by_role[role].append((t, pid, rss, fds))
    rss_growth, fd_growth = {}, {}
    for role, points in sorted(by_role.items()):
        last_pid = points[-1][1]
        first_seen = min(t for t, pid, _, _ in points if pid == last_pid)
        window = [p for p in points if p[1] == last_pid and p[0] >= max(since, first_seen + 30)]
        if len(window) < 6:
            continue  # restarted too late in the run to judge
        head, tail = window[:3], window[-3:]
        rss_head, rss_tail = sum(p[2] for p in head) / 3, sum(p[2] for p in tail) / 3
        rss_growth[role] = round(100 * (rss_tail - rss_head) / rss_head, 1)
        fd_growth[role] = round(sum(p[3] for p in tail) / 3 - sum(p[3] for p in head) / 3)
    return rss_growth, fd_growth


def tables_exact(stack: DevStack | ComposeStack) -> dict[str, bool]:
    """The expected rows, each exactly once, in every table the soak's runs wrote."""
    from sample_api import load_products

    products, orders = len(load_products()), stack.source_orders()
    checks = {
        "products": ("SELECT count(*), count(DISTINCT product_id) FROM reporting.products_reporting", products),
        "shop_orders": ("SELECT count(*), count(DISTINCT order_id) FROM reporting.shop_orders_reporting", orders),
        "entity": ("SELECT count(*), count(DISTINCT sku) FROM entities.soak_items", ENTITY_ROWS),
    }
    return {name: stack.count(query) == (expected, expected) for name, (query, expected) in checks.items()}


def measure(stack: DevStack | ComposeStack, args: argparse.Namespace, faults: list[str], report: dict,
            record: Record, disk: SmallDisk | None = None) -> None:  # fmt: skip
    """Start `stack`, load it and inject `faults` for --minutes, wait for every run to end; the checks into `report`."""
    stack.start(timeout_s=900)
    record.started = time.monotonic()
    soak = Soak(stack, record, args.minutes, faults, disk)
    soak.setup_pipeline()
    threads = [threading.Thread(target=target, daemon=True) for target in (soak.load, soak.inject, soak.sample)]
    for thread in threads:
        thread.start()
    while time.monotonic() < soak.deadline:
        time.sleep(1)
    soak.stop.set()
    for thread in threads:
        thread.join(timeout=300)
    log(f"load done: {len(record.submitted)} runs submitted; waiting for every run to end")
    give_up = time.monotonic() + args.drain_minutes * 60
    runs: list[dict] = []
    waiting_since: float | None = None
    while time.monotonic() < give_up:
        with contextlib.suppress(DaglabError, httpx.HTTPError):
            runs = run_details(stack)
            if runs and all(run["status"] in FINISHED_STATUSES for run in runs):
                # The daemon queues a failure's retry a moment later (longer on a loaded machine): wait for
                # every retry still due, and call a run lost only when none came within RETRY_WAIT_S.
                due = retries_due(runs)
                waiting_since = waiting_since or time.monotonic()
                if not due or time.monotonic() - waiting_since > RETRY_WAIT_S:
                    break
                log(f"waiting for the daemon to retry {len(due)} failed run(s)")
            else:
                waiting_since = None
        time.sleep(5)
    report.update(outcome(runs, record.submitted))
    causes = run_failure_causes(stack, runs)
    report["failure_causes"] = dict(Counter(causes.values()))
    report["lost_chains"] = lost_chains(runs, report["lost_runs"], causes)
    report["tables_exact"] = tables_exact(stack)
    rss, fds = growth(record.samples, since=record.started + args.minutes * 30)
    report["rss_growth_pct"] = rss
    report["fd_growth"] = fds


def soak_dev(args: argparse.Namespace, faults: list[str], report: dict, record: Record) -> None:
    mysql_env = mysql_settings()
    shop_db = f"soak_shop_{uuid.uuid4().hex[:8]}"
    mysql(mysql_env).close()  # fails early, naming the server, when MariaDB is missing
    temp = Path(tempfile.mkdtemp(prefix="soak-"))
    home = copy_repository(temp / "home")
    data_dir = home / ".data"
    data_dir.mkdir(parents=True, exist_ok=True)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("POSTGRES_")}
    environment.update(mysql_env)
    environment.update({
        "DATA_PLATFORM_HOME": str(home), "DATA_PLATFORM_DATA_DIR": str(data_dir),
        "EMBEDDED_POSTGRES_PORT": str(free_port()),
        "DAGSTER_WEBSERVER_PORT": str(free_port()), "PLATFORM_API_PORT": str(free_port()),
        "SAMPLE_API_PORT": (sample_port := str(free_port())), "SAMPLE_API_URL": f"http://127.0.0.1:{sample_port}",
        "LOCAL_PORT_OFFSET": str(free_port_offset()), "MYSQL_DB": shop_db, "PYTHONUNBUFFERED": "1",
        "DAGSTER_WEBSERVER_URL": "",
    })  # fmt: skip
    environment["DAGSTER_WEBSERVER_URL"] = f"http://127.0.0.1:{environment['DAGSTER_WEBSERVER_PORT']}"
    stack = DevStack(home, data_dir, environment)
    disk = SmallDisk(data_dir / "dagster_home" / "storage", inside=temp) if "disk_full" in faults else None
    try:
        if disk is not None:
            disk.mount()
            log(f"disk_full: {disk.problem or f'a {disk.size} tmpfs over {disk.path}'}")
        log(f"starting the stack in {home} (logs: {data_dir / 'stack.log'})")
        measure(stack, args, faults, report, record, disk)
    finally:
        report["orphans"] = stack.stop() if stack.process is not None else []
        if disk is not None:
            disk.unmount()
        with contextlib.suppress(SystemExit), mysql(mysql_env) as conn, conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{shop_db}`")
        if not args.keep:
            shutil.rmtree(temp, ignore_errors=True)


def soak_compose(args: argparse.Namespace, faults: list[str], report: dict, record: Record) -> None:
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        raise SystemExit("error: no Docker engine answers `docker info`: start one (e.g. `sudo dockerd`) and retry")
    os.environ["COMPOSE"] = os.environ.get("COMPOSE") or default_compose()  # `make soak` passes the Makefile's
    stack = ComposeStack()
    log(f"Compose project {stack.compose.project}: building and starting it (webserver {stack.webserver})")
    try:
        measure(stack, args, faults, report, record)
    finally:
        report["orphans"] = stack.stop(keep=args.keep)


def default_compose() -> str:
    """`docker compose` (v2) when it answers, else `docker-compose` (v1), as the Makefile picks."""
    v2 = subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    return "docker compose" if v2 else "docker-compose"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10, help="how long to submit load and inject faults")
    parser.add_argument(
        "--compose",
        action="store_true",
        help="soak the Compose stack (docker-compose.yaml, images built from the project's Dockerfiles) in a\n"
        "throw-away project instead of a `make dev` stack; faults are `docker kill` of containers and\n"
        f"`docker restart` of Postgres (of {', '.join(COMPOSE_FAULTS)}); needs a Docker engine",
    )
    parser.add_argument(
        "--faults",
        help=f"comma-separated, in order (make dev: of {', '.join(FAULTS)};\n"
        "--compose: of the ones named there); default: all of the mode's",
    )
    parser.add_argument("--drain-minutes", type=float, default=15, help="how long runs may take to end afterwards")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary home (logs in <home>/.data) or the Compose project"
    )
    args = parser.parse_args()
    allowed = COMPOSE_FAULTS if args.compose else FAULTS
    faults = [fault for fault in (args.faults or ",".join(allowed)).split(",") if fault]
    unknown = sorted(set(faults) - set(allowed))
    if unknown or args.minutes <= 0:
        mode = "with --compose" if args.compose else "with make dev"
        print(f"error: unknown fault(s) {mode}: {', '.join(unknown)} (of {', '.join(allowed)})" if unknown
              else "error: --minutes must be > 0", file=sys.stderr)  # fmt: skip
        return 2

    record = Record()
    report: dict = {"mode": "compose" if args.compose else "make dev", "minutes": args.minutes}
    (soak_compose if args.compose else soak_dev)(args, faults, report, record)
    report["faults"] = dict(record.faults)
    report["fault_problems"] = record.fault_problems
    report["submit_failures"] = dict(record.submit_failures)
    report["api_requests"] = sum(record.api_statuses.values())
    report["api_statuses"] = {str(code): n for code, n in sorted(record.api_statuses.items())}
    report["api_problems"] = record.api_problems[:10]
    report["ok"] = bool(
        report.get("runs")
        and report.get("lost") == 0
        and report.get("stuck") == 0
        and all(report.get("tables_exact", {}).values())
        and not report["orphans"]
        and not record.api_problems
        and not record.fault_problems
        and all(pct <= RSS_LIMIT_PCT for pct in report.get("rss_growth_pct", {}).values())
        and all(grown <= 16 for grown in report.get("fd_growth", {}).values())
    )
    print(json.dumps(report, sort_keys=False))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
