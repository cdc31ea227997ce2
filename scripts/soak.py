"""`make soak MINUTES=N`: the platform under mixed load with faults injected on a schedule; one JSON line.

It starts its own `make dev` stack (`data-manager dev`) on a temporary copy of the repository, on free ports,
with the embedded Postgres (so it may kill and restart it) and a throw-away MariaDB database for `sql_sync`.
For N minutes it submits a mix: `sample_product_sync_pipeline` (Airbyte sync + dbt) and `sql_sync_pipeline`
(table sync + dbt) over GraphQL, a universal pipeline over the platform API, designer previews and edits. On a
schedule it injects faults, in turn: kill -9 of a code server, of a run worker, of the daemon, of the
webserver, of the platform API and of the Postgres postmaster, a Postgres restart (fast shutdown), and a
broken YAML pushed through the designer API (refused with 4xx, nothing written). Then it waits for every
run to end, Ctrl-Cs the stack and checks:

- every run is terminal (`stuck`: runs still queued or in flight), and every run submitted ended SUCCESS,
  itself or through Dagster's automatic retries (`lost`: those that did not);
- the target tables hold the expected rows exactly once (products, shop orders, the pipeline's entity);
- the API never answered 500 or a 503 without Retry-After;
- no process of the stack outlived the Ctrl-C (`orphans`);
- over the last half, no long-lived process grew its RSS by more than 10 % (`rss_growth`, per process) or
  leaked file descriptors (`fd_growth`).

Exit codes: 0 every check passed, 1 a check failed, 2 bad input or a missing server (named).
A full disk on an artifacts folder is not injected: uploaded artifacts live in Postgres, not in a folder.
"""

from __future__ import annotations

import argparse
import contextlib
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

from daglab import DagsterClient
from daglab.errors import DaglabError
from data_manager.process_groups import free_port
from data_manager.stack_runtime import free_port_offset

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # copy_prepared_files is test support
from prepared_files import copy_prepared_files  # noqa: E402

TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}
FORKSERVER = "from multiprocessing.forkserver import main"
JOBS = {"sample_product_sync": "sample_product_sync_pipeline", "sql_sync": "sql_sync_pipeline"}
FAULTS = ("code_server", "run_worker", "daemon", "webserver", "api", "postgres_kill", "postgres_restart", "broken_yaml")
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
        argv = process.cmdline()
        parent = process.parent()
        parent_argv = parent.cmdline() if parent else []
    except psutil.Error:
        return None
    joined = " ".join(argv)
    location = next((a.split(".", 1)[1] for a in argv if a.startswith("dagster_code.")), "")
    if argv and argv[0].endswith("/postgres") and "-D" in argv:
        return "postgres"
    if FORKSERVER in joined:
        if FORKSERVER in " ".join(parent_argv):
            return None  # a run worker forked from it
        parent_location = next((a.split(".", 1)[1] for a in parent_argv if a.startswith("dagster_code.")), "")
        return f"forkserver:{parent_location}"
    if "code-server" in argv and "start" in argv:
        return f"code-server:{location}"
    if "api" in argv and "grpc" in argv and location:
        return f"grpc:{location}"
    if "data_manager.cli" in argv:
        command = argv[argv.index("data_manager.cli") + 1 :]
        return {"serve": "serve", "api": "api", "dev": "dev"}.get(command[0] if command else "")
    if "data_manager.designer.dg_forks" in argv and "dg_forks" not in " ".join(parent_argv):
        return "dg-forks"
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
            if parent and FORKSERVER in " ".join(process.cmdline()) and FORKSERVER in " ".join(parent.cmdline()):
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

    def tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.data_dir / "stack.log").read_text(errors="replace").splitlines()[-lines:])
        return ""


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
    def __init__(self, stack: DevStack, record: Record, minutes: float, faults: list[str]):
        self.stack = stack
        self.record = record
        self.deadline = time.monotonic() + minutes * 60
        self.faults = faults
        self.fault_interval = minutes * 60 / (len(faults) + 1) if faults else 0
        self.stop = threading.Event()
        self.http = httpx.Client(base_url=stack.api, timeout=120)
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
            return sum(status not in TERMINAL for status in all_runs(self.stack).values())
        return 0

    def launch_job(self, location: str) -> None:
        try:
            with DagsterClient(url=self.stack.webserver, timeout=60, max_retries=3) as client:
                run_id = client.launch(client.resolve_job(JOBS[location], location=location))
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

    def kill_role(self, role: str) -> str:
        process = self.stack.roles()[role]
        process.kill()
        return f"kill -9 {role} (pid {process.pid})"

    def fault_code_server(self) -> str:
        return self.kill_role("code-server:sample_product_sync" if "code-server:sample_product_sync" in
                              self.stack.roles() else "grpc:sample_product_sync")  # fmt: skip

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
        return self.kill_role("daemon")

    def fault_webserver(self) -> str:
        return self.kill_role("webserver")

    def fault_api(self) -> str:
        return self.kill_role("api")

    def fault_postgres_kill(self) -> str:
        return self.kill_role("postgres")

    def fault_postgres_restart(self) -> str:
        postmaster = self.stack.roles()["postgres"]
        postmaster.send_signal(signal.SIGINT)  # fast shutdown, as `pg_ctl restart -m fast` begins
        return f"fast shutdown of postgres (pid {postmaster.pid}); make dev starts it again"

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

    # -- resources -------------------------------------------------------------------------------------
    def sample(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            with contextlib.suppress(psutil.Error):
                for role, process in self.stack.roles().items():
                    with contextlib.suppress(psutil.Error):
                        rss, fds = process.memory_info().rss, process.num_fds()
                        self.record.samples.append((now, role, process.pid, rss, fds))
            self.stop.wait(5)


def all_runs(stack: DevStack) -> dict[str, str]:
    return {run["runId"]: run["status"] for run in run_details(stack)}


def run_details(stack: DevStack) -> list[dict]:
    with DagsterClient(url=stack.webserver, timeout=60, max_retries=3) as client:
        data = client.execute(RUNS_QUERY, {"cursor": None})
    return data["runsOrError"]["results"]


def outcome(runs: list[dict], submitted: list[str]) -> dict:
    """Runs, retries, lost and stuck: a submitted run is lost unless it or one of its retries succeeded."""
    by_root: dict[str, list[dict]] = defaultdict(list)
    for run in runs:
        tags = {tag["key"]: tag["value"] for tag in run["tags"]}
        by_root[tags.get("dagster/root_run_id", run["runId"])].append(run)
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
        "stuck": sum(r["status"] not in TERMINAL for r in runs),
        "statuses": dict(Counter(r["status"] for r in runs)),
    }


def failure_causes(stack: DevStack, runs: list[dict], limit: int = 20) -> dict[str, int]:
    """The first failure message of each failed run (shortened): every failure should say why."""
    causes: Counter = Counter()
    with DagsterClient(url=stack.webserver, timeout=60, max_retries=3) as client:
        for run in [r for r in runs if r["status"] == "FAILURE"][:limit]:
            events = [e for e in client.all_logs(run["runId"]) if e.level in ("ERROR", "CRITICAL")]
            # A step failure's own error says why ("Execution of step ... failed." does not).
            texts = [text for e in events for text in (e.error, e.message) if text]
            first = next((t for t in texts if not t.startswith("Execution of step")), texts[0] if texts else "no error")
            causes[first.splitlines()[0][:140]] += 1
    return dict(causes)


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


def count(pg: dict[str, str], query: str) -> tuple:
    with psycopg.connect(**pg) as conn:
        return conn.execute(query).fetchone()


def tables_exact(pg: dict[str, str], mysql_env: dict[str, str]) -> dict[str, bool]:
    """The expected rows, each exactly once, in every table the soak's runs wrote."""
    sys.path.insert(0, str(REPO / "samples"))
    from sample_api import load_products

    products = len(load_products())
    with mysql(mysql_env, mysql_env["MYSQL_DB"]) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM orders")
        orders = cursor.fetchone()[0]
    checks = {
        "products": ("SELECT count(*), count(DISTINCT product_id) FROM reporting.products_reporting", products),
        "shop_orders": ("SELECT count(*), count(DISTINCT order_id) FROM reporting.shop_orders_reporting", orders),
        "entity": ("SELECT count(*), count(DISTINCT sku) FROM entities.soak_items", ENTITY_ROWS),
    }
    result = {}
    for name, (query, expected) in checks.items():
        try:
            result[name] = count(pg, query) == (expected, expected)
        except psycopg.Error:
            result[name] = False
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10, help="how long to submit load and inject faults")
    parser.add_argument(
        "--faults", default=",".join(FAULTS), help=f"comma-separated, in order (of {', '.join(FAULTS)})"
    )
    parser.add_argument("--drain-minutes", type=float, default=15, help="how long runs may take to end afterwards")
    parser.add_argument("--keep", action="store_true", help="keep the temporary home (logs in <home>/.data)")
    args = parser.parse_args()
    faults = [fault for fault in args.faults.split(",") if fault]
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown or args.minutes <= 0:
        print(f"error: unknown fault(s) {', '.join(unknown)}" if unknown else "error: --minutes must be > 0",
              file=sys.stderr)  # fmt: skip
        return 2

    mysql_env = mysql_settings()
    shop_db = f"soak_shop_{uuid.uuid4().hex[:8]}"
    mysql(mysql_env).close()  # fails early, naming the server, when MariaDB is missing
    temp = Path(tempfile.mkdtemp(prefix="soak-"))
    home = copy_repository(temp / "home")
    data_dir = home / ".data"
    data_dir.mkdir(parents=True, exist_ok=True)
    pg_port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("POSTGRES_")}
    environment.update(mysql_env)
    environment.update({
        "DATA_PLATFORM_HOME": str(home), "DATA_PLATFORM_DATA_DIR": str(data_dir), "EMBEDDED_POSTGRES_PORT": str(pg_port),
        "DAGSTER_WEBSERVER_PORT": str(free_port()), "PLATFORM_API_PORT": str(free_port()),
        "SAMPLE_API_PORT": (sample_port := str(free_port())), "SAMPLE_API_URL": f"http://127.0.0.1:{sample_port}",
        "LOCAL_PORT_OFFSET": str(free_port_offset()), "MYSQL_DB": shop_db, "PYTHONUNBUFFERED": "1",
        "DAGSTER_WEBSERVER_URL": "",
    })  # fmt: skip
    environment["DAGSTER_WEBSERVER_URL"] = f"http://127.0.0.1:{environment['DAGSTER_WEBSERVER_PORT']}"
    stack = DevStack(home, data_dir, environment)
    record = Record()
    report: dict = {"mode": "make dev", "minutes": args.minutes}
    try:
        log(f"starting the stack in {home} (logs: {data_dir / 'stack.log'})")
        stack.start(timeout_s=600)
        record.started = time.monotonic()
        soak = Soak(stack, record, args.minutes, faults)
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
        runs = []
        while time.monotonic() < give_up:
            with contextlib.suppress(DaglabError, httpx.HTTPError):
                runs = run_details(stack)
                if runs and all(run["status"] in TERMINAL for run in runs):
                    time.sleep(20)  # a failure's retry is queued by the daemon a moment later
                    runs = run_details(stack)
                    if all(run["status"] in TERMINAL for run in runs):
                        break
            time.sleep(5)
        report.update(outcome(runs, record.submitted))
        report["failure_causes"] = failure_causes(stack, runs)
        report["tables_exact"] = tables_exact(
            {"host": "127.0.0.1", "port": pg_port, "user": "postgres", "dbname": "dataplatform"},
            {**mysql_env, "MYSQL_DB": shop_db},
        )
        rss, fds = growth(record.samples, since=record.started + args.minutes * 30)
        report["rss_growth_pct"] = rss
        report["fd_growth"] = fds
    finally:
        report["orphans"] = stack.stop() if stack.process is not None else []
        with contextlib.suppress(SystemExit), mysql(mysql_env) as conn, conn.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{shop_db}`")
        if not args.keep:
            shutil.rmtree(temp, ignore_errors=True)
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
