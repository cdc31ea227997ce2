"""`make dev`: the platform's roles as local, supervised processes.

Same roles as Docker Compose - `data-manager serve`, dagster-webserver and dagster-daemon,
plus the services a sample location declares - with the same `platform/dagster.yaml`, a
workspace pointing at 127.0.0.1, and the Postgres `platform_database` chose. A role that
dies is restarted with backoff (as serve restarts code servers); only Ctrl-C stops the stack.
The files the roles coordinate through are described in `data_manager.stack_runtime`.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from data_manager.control.health import check_locations
from data_manager.db import PlatformDatabase, platform_database
from data_manager.errors import EXIT_FAILURE, UserError
from data_manager.local.sample_services import SampleDeclarations, sample_declarations
from data_manager.locations.registry_store import load_registry
from data_manager.paths import ProjectPaths
from data_manager.process_groups import Backoff, LinePrinter, signal_group, spawn, stop_group
from data_manager.settings import USER_SETTINGS, env
from data_manager.stack_runtime import (
    code_server_groups,
    daemon_workspace_digest,
    local_workspace,
    pidfile,
    record_daemon_workspace,
    served_registry,
    workspace_digest,
)

LOCAL_HOST = "127.0.0.1"


def database_role(database: PlatformDatabase, paths: ProjectPaths, say: Callable[[str], None]) -> Role | None:
    """The embedded Postgres as a supervised role when it is the chosen server (else None: yours runs elsewhere).

    Its postmaster runs in the foreground in its own process group: when it dies, the group (its orphaned
    backends) is killed and it starts again with backoff, after a stale `postmaster.pid` is cleared."""
    if not database.embedded:
        say(f"using {database.describe()}")
        return None
    from data_manager.local.embedded_db import EmbeddedPostgres

    embedded = EmbeddedPostgres(paths.data_dir / "postgres", database.settings.port)
    say(f"POSTGRES_HOST is not set: starting {database.describe()} ({embedded.pgdata})")
    embedded.prepare()

    def clear_stale_lock() -> None:
        done = embedded.clear_stale_lock()
        if done:
            say(done)

    return Role(
        "postgres", embedded.command(), before_start=clear_stale_lock, user=embedded.run_as, stop=stop_postmaster,
        ready=lambda role: embedded.wait_until_ready(
            120, alive=lambda: role.process is not None and role.process.poll() is None,
            log=paths.data_dir / "logs" / "postgres.log",
        ),
    )  # fmt: skip


def stop_postmaster(process: subprocess.Popen) -> None:
    """Postgres' fast shutdown (SIGINT to the postmaster alone: its children stop in order), then the group."""
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGINT)
    stop_group(process, grace_s=60, first_signal=None)


def prepare_dagster_home(paths: ProjectPaths) -> Path:
    home = paths.data_dir / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(paths.dagster_yaml, home / "dagster.yaml")
    return home


def platform_environment(paths: ProjectPaths, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every role `make dev` starts (tests and benchmarks start theirs from it too).

    Every setting gets its value or default (dagster.yaml needs every variable it names set), and
    the home, data dir and DAGSTER_HOME point at this project.
    """
    import os

    environment = dict(os.environ if environ is None else environ)
    for name in USER_SETTINGS:
        environment.setdefault(name, env(name, environment))
    environment["DAGSTER_HOME"] = str(paths.data_dir / "dagster_home")
    environment["DATA_PLATFORM_HOME"] = str(paths.home)
    environment["DATA_PLATFORM_DATA_DIR"] = str(paths.data_dir)
    environment["PYTHONUNBUFFERED"] = "1"
    return environment


def run_step(title: str, command: list[str], environment: dict[str, str], printer: LinePrinter, cwd: Path) -> bool:
    printer.write("dev", title)
    result = subprocess.run(command, env=environment, capture_output=True, text=True, cwd=cwd)
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()
        printer.write("dev", f"warning: {title} failed: {last[-1] if last else result.returncode}")
        return False
    return True


@dataclass
class Role:
    """One process of the stack. `before_start` runs before every (re)start; `restart` False leaves it down
    once it exits (samples' stand-in services: tests stop them on purpose to show a failing source).
    `stop_grace_s` must outlast whatever the role itself waits for while stopping (serve stops code servers)."""

    name: str
    command: list[str]
    before_start: Callable[[], None] | None = None
    after_start: Callable[[], None] | None = None
    user: str | None = None  # the system user it runs as (the embedded Postgres when make dev runs as root)
    stop: Callable[[subprocess.Popen], None] | None = None  # default: TERM to its group, KILL after 10 s
    ready: Callable[[Role], None] | None = None  # blocks until a first start can be used (raises if not)
    stop_grace_s: float = 10.0
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    next_start_at: float = 0.0
    backoff: Backoff = field(default_factory=Backoff)
    restart: bool = True


@dataclass
class DevStack:
    paths: ProjectPaths
    printer: LinePrinter
    environment: dict[str, str]
    roles: dict[str, Role] = field(default_factory=dict)
    stopping: threading.Event = field(default_factory=threading.Event)

    def say(self, message: str) -> None:
        self.printer.write("dev", message)

    def start(self, role: Role) -> None:
        """Start `role` now and supervise it from then on."""
        self.roles[role.name] = role
        if role.before_start is not None:
            role.before_start()
        role.process = spawn(
            role.name, role.command, self.printer, env=self.environment, cwd=self.paths.home, user=role.user
        )
        role.started_at = time.monotonic()
        if role.after_start is not None:
            role.after_start()

    def stop_role(self, role: Role) -> None:
        if role.process is not None:
            if role.stop is not None:
                role.stop(role.process)
            else:
                stop_group(role.process, grace_s=role.stop_grace_s)

    def restart(self, name: str) -> None:
        role = self.roles[name]
        self.stop_role(role)
        self.start(role)

    def supervise_once(self) -> None:
        """Restart roles that died, with backoff: 1 s doubling to 30 s, reset after a minute up."""
        now = time.monotonic()
        for role in self.roles.values():
            process = role.process
            if process is not None and process.poll() is not None:
                signal_group(process, signal.SIGKILL)  # reap what it left in its group
                role.process = None
                if not role.restart:
                    self.say(f"{role.name} exited with {process.returncode}; not restarted (a sample service)")
                    role.next_start_at = float("inf")
                    continue
                delay = role.backoff.next_delay()
                role.next_start_at = now + delay
                self.say(f"{role.name} exited with {process.returncode}; restarting in {delay:.0f}s")
            elif process is None and now >= role.next_start_at:
                self.say(f"restarting {role.name}")
                self.start(role)
            elif process is not None:
                role.backoff.note_running(role.started_at, now)

    def stop_all(self) -> None:
        """Every role, last started first (the embedded Postgres last); then any code server a serve that
        could not finish its own stop left behind, so Ctrl-C leaves no process of the stack running."""
        for role in reversed(list(self.roles.values())):
            self.stop_role(role)
            if role.name == "data-manager":
                stop_orphaned_code_servers(self.paths)

    def wait_for_code_servers(self, timeout_s: float = 180) -> None:
        """Until every enabled location answers, the timeout passes (a warning) or a stop is requested."""
        registry = served_registry(self.paths)
        deadline = time.monotonic() + timeout_s
        waiting: list[str] = []
        while time.monotonic() < deadline and not self.stopping.is_set():
            results = check_locations(registry.enabled, host=LOCAL_HOST, timeout=2)
            waiting = [result.name for result in results if not result.serving]
            if not waiting:
                return
            serve = self.roles["data-manager"].process
            if serve is not None and serve.poll() is not None:
                raise UserError("data-manager serve exited during start-up; see the output above", EXIT_FAILURE)
            time.sleep(0.5)
        if waiting and not self.stopping.is_set():
            self.say(f"warning: still waiting for {', '.join(waiting)}; starting the webserver anyway")


def stop_orphaned_code_servers(paths: ProjectPaths, grace_s: float = 2.0) -> None:
    """Code servers of a `serve` that was killed outright live on in their own groups: stop them (all at once)."""
    import os

    def ours(pgid: int) -> bool:  # a recorded id may have been reused since: only a dagster code server's group
        try:
            return b"dagster" in Path(f"/proc/{pgid}/cmdline").read_bytes()
        except OSError:
            return False

    groups = [pgid for pgid in code_server_groups(paths) if ours(pgid)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pgid in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, sig)
        if groups and sig == signal.SIGTERM:
            time.sleep(grace_s)


def platform_roles(paths: ProjectPaths, samples: SampleDeclarations, workspace: Path) -> tuple[list[Role], list[Role]]:
    """(roles started before the code servers answer, roles started after): add new roles here."""
    dm = [sys.executable, "-m", "data_manager.cli"]
    serve = Role(
        "data-manager",
        [*dm, "serve", "--bind", LOCAL_HOST, "--local-workspace", str(workspace), "--pidfile", str(pidfile(paths))],
        before_start=lambda: stop_orphaned_code_servers(paths),
        stop_grace_s=30,  # serve itself gives each code server 10 s before it kills its group
    )
    webserver = Role(
        "webserver",
        # --db-pool-recycle 1, as in Compose: after a Postgres restart no stale pooled connection fails a request.
        [console_script("dagster-webserver"), "-h", LOCAL_HOST, "-p", env("DAGSTER_WEBSERVER_PORT"), "-w", str(workspace),
         "--db-pool-recycle", "1"],
    )  # fmt: skip
    daemon_read: list[str] = []
    daemon = Role(
        "daemon",
        [console_script("dagster-daemon"), "run", "-w", str(workspace)],
        # Recorded before the start: `locations add` waits until the daemon read the new workspace.
        before_start=lambda: daemon_read.append(workspace_digest(paths)),
        after_start=lambda: record_daemon_workspace(paths, daemon_read[-1]),
    )
    services = [Role(name, command, restart=False) for name, command in samples.services.items()]
    platform_api = Role("platform-api", [*dm, "api", "--host", LOCAL_HOST])
    return [serve, *services, platform_api], [webserver, daemon]


def run_dev(paths: ProjectPaths, prepare: bool = True, dbt_prepare: bool = True) -> int:
    """Run the stack until Ctrl-C. `prepare`: seed the samples (and, with `dbt_prepare`, parse dbt) first."""
    printer = LinePrinter(sys.stdout, log_dir=None)
    registry = load_registry(paths.registry)
    (paths.data_dir / "logs").mkdir(parents=True, exist_ok=True)
    printer.log_dir = paths.data_dir / "logs"

    prepare_dagster_home(paths)
    stack = DevStack(paths, printer, platform_environment(paths))
    previous = {sig: signal.signal(sig, lambda *_: stack.stopping.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        database = database_role(platform_database(), paths, stack.say)
        if database is not None:
            stack.start(database)
            database.ready(database)
        samples = sample_declarations(paths, registry.enabled)
        run_step("migrating the universal_pipelines schema", [sys.executable, "-m", "data_manager.cli", "pipelines", "migrate"],
                 stack.environment, printer, paths.home)  # fmt: skip
        if prepare and dbt_prepare and (paths.dbt_dir / "dbt_project.yml").exists():
            run_step("preparing the dbt manifest", [sys.executable, "-m", "data_manager.cli", "dbt", "prepare"],
                     stack.environment, printer, paths.home)  # fmt: skip
        for title, command in samples.prepare if prepare else []:
            run_step(title, command, stack.environment, printer, paths.home)

        workspace = local_workspace(paths)
        early, late = platform_roles(paths, samples, workspace)
        for role in early:
            stack.start(role)
        # As in compose (depends_on data-manager healthy): a webserver that starts first caches
        # "unreachable" for a location whose import fails, instead of showing its error.
        stack.wait_for_code_servers()
        if stack.stopping.is_set():  # Ctrl-C while the code servers loaded: start nothing more
            return 0
        for role in late:
            stack.start(role)
        printer.write(
            "dev",
            f"Dagster UI: http://{LOCAL_HOST}:{env('DAGSTER_WEBSERVER_PORT')}  "
            f"(Ctrl-C stops everything; logs in {printer.log_dir})",
        )
        printer.write("dev", f"Platform API: http://{LOCAL_HOST}:{env('PLATFORM_API_PORT')}/api/docs")

        while not stack.stopping.is_set():
            if workspace_digest(paths) != daemon_workspace_digest(paths):
                # The daemon re-reads its workspace only once a minute; restart it so runs of a new
                # location are not dequeued by a daemon that does not know the location yet.
                stack.say("workspace changed: restarting the daemon")
                stack.restart("daemon")
            stack.supervise_once()
            stack.stopping.wait(0.5)
        return 0
    finally:
        printer.write("dev", "stopping")
        stack.stop_all()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def console_script(name: str) -> str:
    """A console script of this environment (next to the running interpreter)."""
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name
