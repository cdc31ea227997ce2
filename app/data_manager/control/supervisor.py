"""`data-manager serve`: one code server per enabled location, supervised.

Two ways to serve a location (CODE_SERVER_MODE):
- `proxy` (default): `dagster code-server start`, a proxy that reloads code by replacing its
  `dagster api grpc` child, so the UI's Reload picks up new code without a restart;
- `direct`: `dagster api grpc` alone: one process per location instead of two, and code is
  reloaded by restarting the process (`data-manager reload` asks us to).

Either way Dagster's CLI starts through `forked_run_workers` (RUN_WORKER_START=forkserver), so runs fork from
a warm process instead of importing Dagster afresh, and each server is itself a fork of one warm process
(CODE_SERVER_START=fork, forked_code_servers.py) instead of a fresh interpreter.

Each server runs in its own process group, because `dagster code-server start`
ignores SIGTERM/SIGINT when backgrounded and its `dagster api grpc` child
outlives a SIGKILL of the parent: we always signal and reap the whole group.
Crashed servers come back with exponential backoff; SIGHUP re-reads the registry.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from data_manager.control import forked_code_servers, forked_run_workers
from data_manager.locations.registry import CodeLocation, Registry
from data_manager.process_groups import Backoff, LinePrinter, signal_group, spawn, stop_group


@dataclass(frozen=True)
class ServerSpec:
    name: str
    module: str
    port: int

    @classmethod
    def of(cls, location: CodeLocation) -> ServerSpec:
        return cls(location.name, location.module, location.port)


# CODE_SERVER_MODE and RUN_WORKER_START (their values are their records' choices in settings.SETTINGS, checked
# when read): Dagster's CLI command for each way of serving, and the prefix that starts that CLI for each way of
# starting run workers.
CODE_SERVER_MODES = {"proxy": ["code-server", "start"], "direct": ["api", "grpc"]}
RUN_WORKER_STARTS = {"forkserver": forked_run_workers.command, "spawn": lambda: [sys.executable, "-m", "dagster"]}


def code_server_args(
    spec: ServerSpec, bind_host: str, working_directory: Path | None, mode: str = "proxy"
) -> list[str]:
    """Dagster's CLI arguments that serve `spec`."""
    args = [
        *CODE_SERVER_MODES[mode], "-m", spec.module, "-h", bind_host, "-p", str(spec.port),
        "--location-name", spec.name,
    ]  # fmt: skip
    if working_directory is not None:
        args += ["--working-directory", str(working_directory)]
    return args


def code_server_command(
    spec: ServerSpec,
    bind_host: str,
    working_directory: Path | None,
    mode: str = "proxy",
    run_worker_start: str = "forkserver",
) -> list[str]:
    """The command line of a code server started as a subprocess (CODE_SERVER_START=spawn)."""
    return [*RUN_WORKER_STARTS[run_worker_start](), *code_server_args(spec, bind_host, working_directory, mode)]


@dataclass
class ManagedServer:
    spec: ServerSpec
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    next_start_at: float = 0.0
    backoff: Backoff = field(default_factory=Backoff)
    restarts: int = 0


@dataclass
class Supervisor:
    load_registry: Callable[[], Registry]
    bind_host: str = "0.0.0.0"
    working_directory: Path | None = None
    mode: str = "proxy"
    run_worker_start: str = "forkserver"
    code_server_start: str = "fork"
    grace_s: float = 10.0
    on_registry_change: Callable[[Registry], None] | None = None
    on_server_down: Callable[[str], None] | None = None
    restart_requests: Callable[[], set[str]] = set
    on_restarted: Callable[[str], None] | None = None
    on_processes_changed: Callable[[list[int]], None] | None = None  # process group ids of the live servers
    printer: LinePrinter = field(default_factory=lambda: LinePrinter(sys.stdout))
    servers: dict[str, ManagedServer] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _reload: threading.Event = field(default_factory=threading.Event)

    def say(self, message: str) -> None:
        self.printer.write("supervisor", message)

    def request_stop(self, *_: object) -> None:
        self._stop.set()

    def request_reload(self, *_: object) -> None:
        self._reload.set()

    def _start(self, server: ManagedServer) -> None:
        name = server.spec.name
        if self.code_server_start == "fork":
            args = code_server_args(server.spec, self.bind_host, self.working_directory, self.mode)
            warm_runs = self.run_worker_start == "forkserver"
            process = forked_code_servers.start(name, args, self.printer, warm_runs)  # own process group
        else:
            command = code_server_command(
                server.spec, self.bind_host, self.working_directory, self.mode, self.run_worker_start
            )
            process = spawn(name, command, self.printer)  # own process group
        server.process = process
        server.started_at = time.monotonic()
        self._processes_changed()
        self.say(f"started {server.spec.name} ({server.spec.module}) on port {server.spec.port}, pid {process.pid}")

    def _stop_server(self, server: ManagedServer) -> None:
        if server.process is not None:
            stop_group(server.process, self.grace_s)
            server.process = None
            self._processes_changed()

    def _processes_changed(self) -> None:
        if self.on_processes_changed is not None:
            self.on_processes_changed([s.process.pid for s in self.servers.values() if s.process is not None])

    def apply(self, registry: Registry) -> None:
        """Make the running servers match the registry's enabled locations."""
        wanted = {location.name: ServerSpec.of(location) for location in registry.enabled}
        for name in list(self.servers):
            if name not in wanted or wanted[name] != self.servers[name].spec:
                self.say(f"stopping {name}")
                self._stop_server(self.servers.pop(name))
        for name, spec in wanted.items():
            if name not in self.servers:
                server = ManagedServer(spec)
                self.servers[name] = server
                self._start(server)
        if self.on_registry_change is not None:
            self.on_registry_change(registry)

    def restart_requested(self) -> None:
        """Restart the servers someone asked to restart (direct mode's code reload)."""
        for name in sorted(self.restart_requests()):
            server = self.servers.get(name)
            if server is not None:
                self.say(f"restarting {name} to reload its code")
                self._stop_server(server)
                if self.on_server_down is not None:
                    self.on_server_down(name)
                self._start(server)
            if self.on_restarted is not None:
                self.on_restarted(name)

    def _watch_once(self) -> None:
        now = time.monotonic()
        for server in self.servers.values():
            process = server.process
            if process is not None and process.poll() is not None:
                code = process.returncode
                signal_group(process, signal.SIGKILL)  # reap orphans such as the `api grpc` child
                server.process = None
                self._processes_changed()
                delay = server.backoff.next_delay()
                server.next_start_at = now + delay
                self.say(f"{server.spec.name} exited with {code}; restarting in {delay:.0f}s")
                if self.on_server_down is not None:
                    self.on_server_down(server.spec.name)
            elif process is None and now >= server.next_start_at:
                server.restarts += 1
                self._start(server)
            elif process is not None:
                server.backoff.note_running(server.started_at, now)

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGHUP, self.request_reload)
        self.apply(self.load_registry())
        try:
            while not self._stop.is_set():
                if self._reload.is_set():
                    self._reload.clear()
                    try:
                        self.apply(self.load_registry())
                        self.say("registry reloaded")
                    except Exception as exc:  # a bad registry must not take the running servers down
                        self.say(f"registry reload failed, keeping the current servers: {exc}")
                    self.restart_requested()
                self._watch_once()
                self._stop.wait(0.5)
        finally:
            self.say("stopping all code servers")
            threads = [threading.Thread(target=self._stop_server, args=(s,)) for s in self.servers.values()]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        return 0
