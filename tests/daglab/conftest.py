"""daglab test fixtures: a real dagster-webserver on a free loopback port, the daglab console script, and a
loopback HTTP proxy that records headers and can drop connections, answer errors or reject job-era GraphQL."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from daglab.client import DagsterClient

FIXTURES = Path(__file__).parent / "fixtures"
DEFS_FILE = FIXTURES / "daglab_fixture_defs.py"
LOCATION = DEFS_FILE.name
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Webserver:
    url: str
    port: int
    home: Path
    log: Path


def _tool(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"{name} is not installed in the project venv ({BIN}); run `uv sync --frozen`")
    return path


def _location_loaded(url: str) -> bool:
    query = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"
    try:
        answer = httpx.post(f"{url}/graphql", json={"query": query}, timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return False
    entries = (answer.get("data") or {}).get("workspaceOrError", {}).get("locationEntries", [])
    return any(e["name"] == LOCATION and e["loadStatus"] == "LOADED" for e in entries)


@pytest.fixture(scope="session")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Webserver]:
    """A real dagster-webserver serving the fixture definitions; its process group is killed at the end."""
    home = tmp_path_factory.mktemp("daglab_dagster_home")
    shutil.copy(FIXTURES / "dagster.yaml", home / "dagster.yaml")
    port = free_port()
    log = home / "webserver.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGLAB_", "DAGSTER_CLOUD"))}
    env["DAGSTER_HOME"] = str(home)
    command = [str(_tool("dagster-webserver")), "-h", "127.0.0.1", "-p", str(port), "-f", str(DEFS_FILE)]
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            command, env=env, cwd=home, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while not _location_loaded(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                pytest.fail(f"dagster-webserver did not come up on {url} (exit {proc.poll()}):\n{tail}")
            time.sleep(0.5)
        yield Webserver(url=url, port=port, home=home, log=log)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> dict:
        return json.loads(self.stdout)


def clean_env(**extra: str) -> dict[str, str]:
    """The test environment without any daglab/dagster-cloud credentials, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGLAB_", "DAGSTER_CLOUD"))}
    env.update(extra)
    return env


def run_cli(*args: str, extra_env: dict[str, str] | None = None, timeout: float = 240) -> CliResult:
    """Run the real ``daglab`` console script in a subprocess (credential env vars only from ``extra_env``)."""
    proc = subprocess.run(
        [str(_tool("daglab")), *args],
        env=clean_env(**(extra_env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def daglab_cli() -> Callable[..., CliResult]:
    """``daglab_cli(*args, extra_env=..., timeout=...)`` runs the real console script."""
    return run_cli


@pytest.fixture(scope="session")
def daglab_inproc() -> Callable[..., CliResult]:
    """Run the CLI in-process (typer's CliRunner): same code, without a 1-2 s interpreter start per call."""
    from typer.testing import CliRunner

    from daglab.cli import app

    runner = CliRunner()

    def invoke(*args: str) -> CliResult:
        result = runner.invoke(app, list(args), env={k: "" for k in os.environ if k.startswith("DAGLAB_")})
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture(scope="session")
def daglab_exe() -> Path:
    """Path of the installed ``daglab`` console script."""
    return _tool("daglab")


@pytest.fixture
def client(webserver: Webserver) -> Iterator[DagsterClient]:
    with DagsterClient(url=webserver.url) as c:
        yield c


# ---- loopback proxy --------------------------------------------------------------------------------------------


@dataclass
class Recorded:
    headers: dict[str, str]
    body: str
    outcome: str


@dataclass
class ProxyBehaviour:
    """What the proxy does: drop the first N matching requests, answer fixed statuses, or reject documents."""

    drop_first: int = 0
    drop_if: Callable[[str], bool] = lambda body: True
    statuses_first: list[int] = field(default_factory=list)
    reject_pattern: re.Pattern[str] | None = None
    fixed_answer: tuple[int, str] | None = None


class LoopbackProxy:
    """A stdlib HTTP server in a thread that forwards to ``upstream`` and records every request it sees."""

    def __init__(self, upstream: str | None, behaviour: ProxyBehaviour) -> None:
        self.upstream = upstream
        self.behaviour = behaviour
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def bodies(self, marker: str) -> list[Recorded]:
        return [r for r in self.requests if marker in r.body]

    def _decide(self, body: str) -> str:
        b = self.behaviour
        with self._lock:
            if b.drop_first and b.drop_if(body):
                b.drop_first -= 1
                return "dropped"
            if b.statuses_first:
                return f"status:{b.statuses_first.pop(0)}"
        if b.reject_pattern is not None and b.reject_pattern.search(body):
            return "rejected"
        if b.fixed_answer is not None:
            return "fixed"
        return "forwarded"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = raw.decode("utf-8", errors="replace")
                outcome = proxy._decide(body)
                with proxy._lock:
                    proxy.requests.append(Recorded(dict(self.headers.items()), body, outcome))
                if outcome == "dropped":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if outcome.startswith("status:"):
                    self._reply(int(outcome.split(":")[1]), b"busy", "text/plain")
                    return
                if outcome == "rejected":
                    name = proxy.behaviour.reject_pattern.search(body).group(0)  # type: ignore[union-attr]
                    message = f'Cannot query field "{name}" on this server (daglab test fake).'
                    self._reply(400, json.dumps({"data": None, "errors": [{"message": message}]}).encode())
                    return
                if outcome == "fixed":
                    status, text = proxy.behaviour.fixed_answer  # type: ignore[misc]
                    self._reply(status, text.encode())
                    return
                self._forward(raw)

            def _forward(self, raw: bytes) -> None:
                assert proxy.upstream is not None
                target = httpx.URL(proxy.upstream)
                conn = http.client.HTTPConnection(target.host, target.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(self.command, self.path, body=raw or None, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                conn.close()
                self._reply(answer.status, data, answer.getheader("Content-Type", "application/json"))

            do_POST = _handle
            do_GET = _handle

        return Handler


@pytest.fixture
def make_proxy() -> Iterator[Callable[..., LoopbackProxy]]:
    """Factory for loopback proxies; every proxy is shut down after the test."""
    proxies: list[LoopbackProxy] = []

    def make(upstream: str | None = None, **behaviour: object) -> LoopbackProxy:
        proxy = LoopbackProxy(upstream, ProxyBehaviour(**behaviour))  # type: ignore[arg-type]
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        proxy.close()
