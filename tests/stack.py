"""A real local platform for end-to-end tests: `data-manager dev` against throw-away databases.

Starts the same three roles `make dev` starts (data-manager serve, dagster-webserver,
dagster-daemon) on the machine's PostgreSQL, with fresh databases that are dropped
afterwards, and talks to the webserver over GraphQL like a user would.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import psutil

from data_manager.settings import PostgresSettings

REPO_ROOT = Path(__file__).resolve().parents[1]

LOCATIONS_QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message causes { message } } } } } } }
"""
LAUNCH_MUTATION = """
mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename
  ... on LaunchRunSuccess { run { runId } }
  ... on PythonError { message }
  ... on RunConfigValidationInvalid { errors { message } }
  ... on InvalidSubsetError { message }
  ... on PipelineNotFoundError { message }
} }
"""
RUN_QUERY = """
query($runId: ID!) { runOrError(runId: $runId) { __typename ... on Run { status } } }
"""
LOGS_QUERY = """
query($runId: ID!) { logsForRun(runId: $runId) { __typename
  ... on EventConnection { events { __typename
    ... on MessageEvent { message }
    ... on ExecutionStepFailureEvent { error { message } }
    ... on RunFailureEvent { error { message } }
  } } } }
"""
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.webserver_port}"

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
                "DATA_PLATFORM_HOME": str(home),
                "DATA_PLATFORM_DATA_DIR": str(data_dir),
                "POSTGRES_HOST": server.host,
                "POSTGRES_PORT": str(server.port),
                "POSTGRES_USER": server.user,
                "POSTGRES_PASSWORD": server.password,
                "POSTGRES_DB": data_db,
                "DAGSTER_POSTGRES_DB": dagster_db,
                "DAGSTER_WEBSERVER_PORT": str(port),
                "SAMPLE_API_PORT": str(free_port()),
                "PYTHONUNBUFFERED": "1",
            }
        )
        environment["SAMPLE_API_URL"] = f"http://127.0.0.1:{environment['SAMPLE_API_PORT']}"
        environment.update(extra_env or {})
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
        command = [sys.executable, "-m", "data_manager.cli", "dev"] + ([] if prepare else ["--no-prepare"])
        log = open(self.log_path, "w")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            command, env=self.env, cwd=self.home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.wait_until_settled(timeout_s=timeout_s)
        return self

    def stop(self, timeout_s: float = 60) -> None:
        """Ctrl-C the stack like a user would and assert that nothing it started is left running."""
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

    def leftover_processes(self) -> list[int]:
        alive = []
        for pid in self.descendants:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                continue
        return alive

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    # -- GraphQL ---------------------------------------------------------------------------------
    def graphql(self, query: str, variables: dict | None = None, timeout: float = 60) -> dict:
        response = httpx.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, timeout=timeout
        )
        body = response.json()
        if response.status_code >= 400 or body.get("errors"):
            raise AssertionError(f"GraphQL HTTP {response.status_code}: {body.get('errors', body)}")
        return body["data"]

    def location_statuses(self) -> dict[str, tuple[str, str | None]]:
        entries = self.graphql(LOCATIONS_QUERY)["workspaceOrError"]["locationEntries"]
        result = {}
        for entry in entries:
            payload = entry["locationOrLoadError"] or {}
            error = None
            if payload.get("__typename") == "PythonError":
                error = "\n".join([payload["message"], *(cause["message"] for cause in payload.get("causes") or [])])
            result[entry["name"]] = (entry["loadStatus"], error)
        return result

    def loaded(self) -> dict[str, bool]:
        return {
            name: status == "LOADED" and error is None for name, (status, error) in self.location_statuses().items()
        }

    def wait_until_settled(self, timeout_s: float = 300) -> None:
        """Every workspace entry finished loading, successfully or with an error."""
        deadline = time.monotonic() + timeout_s
        last: object = "webserver not answering"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"`data-manager dev` exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                last = self.location_statuses()
                if last and all(status == "LOADED" for status, _ in last.values()):
                    return
            except (httpx.HTTPError, AssertionError) as exc:
                last = exc
            time.sleep(1)
        raise AssertionError(f"workspace still loading after {timeout_s}s: {last}\n{self.log_tail()}")

    def wait_until_loaded(self, names: list[str] | None = None, timeout_s: float = 300) -> None:
        deadline = time.monotonic() + timeout_s
        last: object = "webserver not answering"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"`data-manager dev` exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                loaded = self.loaded()
                wanted = names or list(loaded)
                if wanted and all(loaded.get(name) for name in wanted):
                    return
                last = self.location_statuses()
            except (httpx.HTTPError, AssertionError) as exc:
                last = exc
            time.sleep(1)
        raise AssertionError(f"locations not LOADED after {timeout_s}s: {last}\n{self.log_tail()}")

    def launch_job(self, location: str, job: str, run_config: dict | None = None, tags: dict | None = None) -> str:
        params = {
            "selector": {"repositoryLocationName": location, "repositoryName": "__repository__", "jobName": job},
            "runConfigData": run_config or {},
            "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]},
        }
        result = self.graphql(LAUNCH_MUTATION, {"params": params})["launchRun"]
        if result["__typename"] != "LaunchRunSuccess":
            raise AssertionError(f"launch of {location}/{job} failed: {result}")
        return result["run"]["runId"]

    def run_status(self, run_id: str) -> str:
        return self.graphql(RUN_QUERY, {"runId": run_id})["runOrError"]["status"]

    def wait_for_run(self, run_id: str, timeout_s: float = 300) -> str:
        deadline = time.monotonic() + timeout_s
        status = "UNKNOWN"
        while time.monotonic() < deadline:
            status = self.run_status(run_id)
            if status in TERMINAL:
                return status
            time.sleep(1)
        raise AssertionError(f"run {run_id} still {status} after {timeout_s}s")

    def run_messages(self, run_id: str) -> list[str]:
        events = self.graphql(LOGS_QUERY, {"runId": run_id})["logsForRun"].get("events", [])
        messages = []
        for event in events:
            messages.append(event.get("message") or "")
            for key in ("error",):
                if event.get(key):
                    messages.append(event[key]["message"])
        return messages
