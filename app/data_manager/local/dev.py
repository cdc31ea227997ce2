"""`data-manager dev` (`make dev`): the three platform roles as local processes.

Same roles as Docker Compose - `data-manager serve`, dagster-webserver and
dagster-daemon - with the same `platform/dagster.yaml`, a workspace pointing at
127.0.0.1, and Postgres from the settings or an embedded server under `.data/`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from data_manager.control.health import check_locations
from data_manager.control.reload import DAEMON_WORKSPACE_MARKER, LOCAL_WORKSPACE
from data_manager.db import ensure_database
from data_manager.errors import UserError
from data_manager.fsops import write_atomic
from data_manager.paths import ProjectPaths
from data_manager.procs import LinePrinter, spawn, stop_group
from data_manager.registry.store import load_registry
from data_manager.registry.workspace import render_workspace
from data_manager.settings import ENV_DEFAULTS, PostgresSettings, env

LOCAL_HOST = "127.0.0.1"
CRITICAL_ROLES = ("data-manager", "webserver", "daemon")  # the sample API may be stopped on purpose


def load_dotenv_file(paths: ProjectPaths) -> None:
    """Values from `.env` fill in variables the environment does not already set."""
    dotenv = paths.home / ".env"
    if dotenv.is_file():
        from dotenv import dotenv_values

        for key, value in dotenv_values(dotenv).items():
            if value is not None:
                os.environ.setdefault(key, value)


def choose_database(paths: ProjectPaths, printer: LinePrinter):
    """Postgres from the settings when POSTGRES_HOST is set, else the embedded server."""
    from data_manager.local.embedded_db import EmbeddedPostgres

    if os.environ.get("POSTGRES_HOST"):
        settings = PostgresSettings.from_env()
        printer.write("dev", f"using Postgres at {settings.safe_description()}")
        return settings, None
    port = int(env("EMBEDDED_POSTGRES_PORT"))
    embedded = EmbeddedPostgres(paths.data_dir / "postgres", port)
    printer.write(
        "dev", f"POSTGRES_HOST is not set: starting embedded Postgres on {LOCAL_HOST}:{port} ({embedded.pgdata})"
    )
    embedded.start()
    os.environ.update({"POSTGRES_HOST": LOCAL_HOST, "POSTGRES_PORT": str(port), "POSTGRES_USER": "postgres"})
    os.environ.setdefault("POSTGRES_PASSWORD", "")
    return PostgresSettings.from_env(), embedded


def workspace_digest(workspace: Path) -> str:
    try:
        return hashlib.sha256(workspace.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


def prepare_dagster_home(paths: ProjectPaths) -> Path:
    home = paths.data_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(paths.dagster_yaml, home / "dagster.yaml")
    return home


def role_env(paths: ProjectPaths, dagster_home: Path) -> dict[str, str]:
    environment = dict(os.environ)
    for name in ENV_DEFAULTS:
        environment.setdefault(name, env(name))  # dagster.yaml needs every variable it names set
    environment["DAGSTER_HOME"] = str(dagster_home)
    environment["DATA_PLATFORM_HOME"] = str(paths.home)
    environment["DATA_PLATFORM_DATA_DIR"] = str(paths.data_dir)
    environment["PYTHONUNBUFFERED"] = "1"
    return environment


def run_step(title: str, command: list[str], environment: dict[str, str], printer: LinePrinter) -> bool:
    printer.write("dev", title)
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()
        printer.write("dev", f"warning: {title} failed: {last[-1] if last else result.returncode}")
        return False
    return True


@dataclass
class DevStack:
    paths: ProjectPaths
    printer: LinePrinter
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)

    def start_role(self, role: str, command: list[str], environment: dict[str, str]) -> None:
        self.processes[role] = spawn(role, command, self.printer, env=environment, cwd=self.paths.home)

    daemon_workspace: str = ""

    def start_daemon(self, command: list[str], environment: dict[str, str], workspace: Path) -> None:
        """Start the daemon and record which workspace it read, for `locations add` to wait on."""
        self.daemon_workspace = workspace_digest(workspace)
        self.start_role("daemon", command, environment)
        write_atomic(self.paths.data_dir / DAEMON_WORKSPACE_MARKER, self.daemon_workspace)

    def stop_all(self) -> None:
        for role in reversed(list(self.processes)):
            stop_group(self.processes[role], grace_s=10)

    def wait_for_code_servers(self, timeout_s: float = 180) -> None:
        """Until every enabled location answers, the timeout passes (a warning) or a stop is requested."""
        registry = load_registry(self.paths.registry)
        deadline = time.monotonic() + timeout_s
        waiting: list[str] = []
        while time.monotonic() < deadline and not self.stopping.is_set():
            results = check_locations(registry.enabled, host=LOCAL_HOST, timeout=2)
            waiting = [result.name for result in results if not result.serving]
            if not waiting:
                return
            if self.processes["data-manager"].poll() is not None:
                raise UserError("data-manager serve exited during start-up; see the output above", exit_code=1)
            time.sleep(0.5)
        if waiting and not self.stopping.is_set():
            self.printer.write("dev", f"warning: still waiting for {', '.join(waiting)}; starting the webserver anyway")


def run_dev(paths: ProjectPaths, prepare: bool = True) -> int:
    printer = LinePrinter(sys.stdout, log_dir=None)
    load_dotenv_file(paths)
    registry = load_registry(paths.registry)
    (paths.data_dir / "logs").mkdir(parents=True, exist_ok=True)
    printer.log_dir = paths.data_dir / "logs"

    settings, embedded = choose_database(paths, printer)
    stack = DevStack(paths, printer)
    previous = {sig: signal.signal(sig, lambda *_: stack.stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for database in (env("POSTGRES_DB"), env("DAGSTER_POSTGRES_DB")):
            if ensure_database(settings, database):
                printer.write("dev", f"created database {database}")
        dagster_home = prepare_dagster_home(paths)
        environment = role_env(paths, dagster_home)
        workspace = paths.data_dir / LOCAL_WORKSPACE
        dm = [sys.executable, "-m", "data_manager.cli"]

        if prepare and (paths.dbt_dir / "dbt_project.yml").exists():
            run_step("preparing the dbt manifest", [*dm, "dbt", "prepare"], environment, printer)
        seed = paths.home / "scripts" / "seed_mysql.py"
        if prepare and seed.exists() and any(loc.name == "sql_sync" for loc in registry.enabled):
            run_step("seeding the sample MySQL database", [sys.executable, str(seed)], environment, printer)

        write_atomic(workspace, render_workspace(registry, host_override=LOCAL_HOST))
        stack.start_role(
            "data-manager",
            [*dm, "serve", "--bind", LOCAL_HOST, "--local-workspace", str(workspace),
             "--pidfile", str(paths.data_dir / "serve.pid")],
            environment,
        )  # fmt: skip
        if _module_exists("data_manager.sample_api"):
            sample_api = [sys.executable, "-m", "data_manager.sample_api", "--host", LOCAL_HOST]
            stack.start_role("sample-api", [*sample_api, "--port", env("SAMPLE_API_PORT")], environment)
        stack.start_role("platform-api", [*dm, "api", "--host", LOCAL_HOST], environment)
        # As in compose (depends_on data-manager healthy): a webserver that starts first caches
        # "unreachable" for a location whose import fails, instead of showing its error.
        stack.wait_for_code_servers()
        if stack.stopping.is_set():  # Ctrl-C while the code servers loaded: start nothing more
            return 0
        port = env("DAGSTER_WEBSERVER_PORT")
        stack.start_role(
            "webserver",
            [console_script("dagster-webserver"), "-h", LOCAL_HOST, "-p", port, "-w", str(workspace)],
            environment,
        )
        daemon_command = [console_script("dagster-daemon"), "run", "-w", str(workspace)]
        stack.start_daemon(daemon_command, environment, workspace)
        printer.write(
            "dev", f"Dagster UI: http://{LOCAL_HOST}:{port}  (Ctrl-C stops everything; logs in {printer.log_dir})"
        )
        printer.write("dev", f"Platform API: http://{LOCAL_HOST}:{env('PLATFORM_API_PORT')}/api/docs")

        while not stack.stopping.is_set():
            if workspace_digest(workspace) != stack.daemon_workspace:
                # The daemon re-reads its workspace only once a minute; restart it so runs of a new
                # location are not dequeued by a daemon that does not know the location yet.
                printer.write("dev", "workspace changed: restarting the daemon")
                stop_group(stack.processes.pop("daemon"), grace_s=10)
                stack.start_daemon(daemon_command, environment, workspace)
            for role, process in stack.processes.items():
                if role in CRITICAL_ROLES and process.poll() is not None:
                    printer.write("dev", f"{role} exited with {process.returncode}; stopping the platform")
                    stack.stopping.set()
                    break
            stack.stopping.wait(0.5)
        return 0
    finally:
        printer.write("dev", "stopping")
        stack.stop_all()
        if embedded is not None:
            embedded.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def console_script(name: str) -> str:
    """A console script of this environment (next to the running interpreter)."""
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


def _module_exists(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
