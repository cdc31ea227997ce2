"""A real local platform for end-to-end tests: `data-manager dev` against throw-away databases.

Starts the same roles `make dev` starts (data-manager serve, dagster-webserver, dagster-daemon)
on the machine's PostgreSQL, with fresh databases that are dropped afterwards, and talks to the
webserver over GraphQL like a user would. Its environment comes from `platform_environment`, as
`make dev`'s does, on free ports (code servers moved by LOCAL_PORT_OFFSET), so the tests run
beside a `make dev` of the same checkout.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import psutil

from daglab import DagsterClient
from daglab.errors import DaglabError
from data_manager.local.dev import platform_environment
from data_manager.locations.registry_store import load_registry
from data_manager.paths import ProjectPaths
from data_manager.process_groups import free_port, stop_group
from data_manager.settings import PostgresSettings
from data_manager.stack_runtime import free_port_offset, with_port_offset

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class LocalStack:
    home: Path
    data_dir: Path
    pg: PostgresSettings
    dagster_db: str
    webserver_port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None
    descendants: list[int] = field(default_factory=list)
    restarted: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.webserver_port}"

    def port_of(self, location: str) -> int:
        """The port the location's code server listens on in this stack."""
        registry = load_registry(self.home / "code-locations.json")
        served = with_port_offset(registry, int(self.env["LOCAL_PORT_OFFSET"])).get(location)
        assert served is not None, f"no location {location!r}"
        return served.port

    @classmethod
    def create(
        cls,
        server: PostgresSettings,
        data_db: str,
        home: Path = REPO_ROOT,
        data_dir: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> LocalStack:
        data_dir = data_dir or Path(os.environ.get("TMPDIR", "/tmp")) / f"stack_{data_db}"
        data_dir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        dagster_db = f"{data_db}_dagster"
        environment = dict(os.environ)
        environment.update(
            {
                "POSTGRES_HOST": server.host,
                "POSTGRES_PORT": str(server.port),
                "POSTGRES_USER": server.user,
                "POSTGRES_PASSWORD": server.password,
                "POSTGRES_DB": data_db,
                "DAGSTER_POSTGRES_DB": dagster_db,
                "DAGSTER_WEBSERVER_PORT": str(port),
                "SAMPLE_API_PORT": str(free_port()),
                "LOCAL_PORT_OFFSET": str(free_port_offset()),
                "PLATFORM_API_PORT": str(free_port()),
                "PYTHONUNBUFFERED": "1",
            }
        )
        environment["SAMPLE_API_URL"] = f"http://127.0.0.1:{environment['SAMPLE_API_PORT']}"
        environment.update(extra_env or {})
        environment = platform_environment(ProjectPaths(home, data_dir), environment)
        return cls(
            home=home,
            data_dir=data_dir,
            pg=replace(server, database=data_db),
            dagster_db=dagster_db,
            webserver_port=port,
            env=environment,
            log_path=data_dir / "stack.log",
        )

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, prepare: bool = True, timeout_s: float = 300) -> LocalStack:
        """`prepare` seeds the samples; dbt is never parsed here (make test did, and tests write nothing
        into the checkout)."""
        command = [sys.executable, "-m", "data_manager.cli", "dev", "--no-dbt-prepare"]
        command += [] if prepare else ["--no-prepare"]
        log = open(self.log_path, "w")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            command, env=self.env, cwd=self.home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.wait_until_settled(timeout_s=timeout_s)
        return self

    def stop(self, timeout_s: float = 60) -> None:
        """Ctrl-C the stack like a user would and assert that nothing it started is left running."""
        for process in self.restarted:
            stop_group(process, grace_s=10)
        self.restarted = []
        if self.process is None:
            return
        self.descendants = [p.pid for p in psutil.Process(self.process.pid).children(recursive=True)]
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=timeout_s)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None

    def restart_sample_service(self, command: list[str]) -> None:
        """Start again a sample service a test killed: `make dev` does not restart sample services (a dead
        API is a case tests make on purpose), and later tests on this shared stack need it. Stopped with
        the stack."""
        self.restarted.append(
            subprocess.Popen(
                command, env=self.env, cwd=self.home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )  # fmt: skip

    def find_processes(self, *fragments: str) -> list[psutil.Process]:
        """Live processes of the stack whose command line contains every fragment (zombies are skipped)."""
        assert self.process is not None, "the stack is not running"
        found = []
        for process in psutil.Process(self.process.pid).children(recursive=True):
            try:
                command = " ".join(process.cmdline())
            except psutil.Error:  # exited, or a zombie not yet reaped
                continue
            if all(fragment in command for fragment in fragments):
                found.append(process)
        return found

    def leftover_processes(self, wait_s: float = 20) -> list[str]:
        """The stack's processes still alive `wait_s` after it stopped (a SIGKILLed process takes a moment
        to go on a loaded machine), each as `pid: command line`."""
        processes = []
        for pid in self.descendants:
            with contextlib.suppress(psutil.NoSuchProcess):
                processes.append(psutil.Process(pid))
        _, alive = psutil.wait_procs(processes, timeout=wait_s)
        left = []
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                if process.status() != psutil.STATUS_ZOMBIE:
                    left.append(f"{process.pid}: {' '.join(process.cmdline())[:200]}")
        return left

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    # -- GraphQL, through daglab's client ---------------------------------------------------------
    def client(self, timeout: float = 60) -> DagsterClient:
        return DagsterClient(url=self.url, timeout=timeout, max_retries=1)

    def location_statuses(self) -> dict[str, tuple[str, str | None]]:
        with self.client() as client:
            return {loc.name: (loc.load_status, loc.error) for loc in client.locations()}

    def loaded(self) -> dict[str, bool]:
        return {
            name: status == "LOADED" and error is None for name, (status, error) in self.location_statuses().items()
        }

    def _wait_for_locations(self, ready: Callable[[], bool], what: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        last: object = "webserver not answering"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"`data-manager dev` exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if ready():
                    return
                last = self.location_statuses()
            except DaglabError as exc:
                last = exc
            time.sleep(1)
        raise AssertionError(f"{what} after {timeout_s}s: {last}\n{self.log_tail()}")

    def wait_until_settled(self, timeout_s: float = 300) -> None:
        """Every workspace entry finished loading, successfully or with an error."""

        def settled() -> bool:
            statuses = self.location_statuses()
            return bool(statuses) and all(status == "LOADED" for status, _ in statuses.values())

        self._wait_for_locations(settled, "workspace still loading", timeout_s)

    def wait_until_loaded(self, names: list[str] | None = None, timeout_s: float = 300) -> None:
        def all_loaded() -> bool:
            loaded = self.loaded()
            wanted = names or list(loaded)
            return bool(wanted) and all(loaded.get(name) for name in wanted)

        self._wait_for_locations(all_loaded, "locations not LOADED", timeout_s)

    def launch_job(self, location: str, job: str, run_config: dict | None = None, tags: dict | None = None) -> str:
        with self.client() as client:
            return client.launch(client.resolve_job(job, location=location), run_config=run_config, tags=tags)

    def run_status(self, run_id: str) -> str:
        with self.client() as client:
            return client.run(run_id).status

    def wait_for_run(self, run_id: str, timeout_s: float = 300) -> str:
        with self.client() as client:
            return client.wait(run_id, timeout=timeout_s).status

    def wait_for_run_or_its_retries(self, run_id: str, timeout_s: float = 900) -> tuple[str, str]:
        """The last run of a run's automatic retries and its status (Dagster retries a failed run as a new
        run and names it in the failed run's `dagster/auto_retry_run_id` tag; `dagster/will_retry=false`
        says none comes)."""
        deadline = time.monotonic() + timeout_s
        status = self.wait_for_run(run_id, timeout_s)
        while status != "SUCCESS":
            give_up = min(deadline, time.monotonic() + 150)  # the retry sweeper runs every minute
            with self.client() as client:
                tags = client.run(run_id).tags
                while not _retry_decided(tags) and time.monotonic() < give_up:
                    time.sleep(2)
                    tags = client.run(run_id).tags
            retry = tags.get("dagster/auto_retry_run_id")
            if retry is None:
                return run_id, status
            run_id = retry
            status = self.wait_for_run(run_id, max(deadline - time.monotonic(), 1))
        return run_id, status

    def run_messages(self, run_id: str) -> list[str]:
        with self.client() as client:
            events = client.all_logs(run_id)
        return [text for event in events for text in (event.message, event.error) if text]


def _retry_decided(tags: dict[str, str]) -> bool:
    return "dagster/auto_retry_run_id" in tags or tags.get("dagster/will_retry") == "false"
