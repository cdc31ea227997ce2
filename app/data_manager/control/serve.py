"""Wire the supervisor to the registry, the local workspace file and lost-run handling."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

from data_manager.atomic_files import write_atomic
from data_manager.control import forked_code_servers
from data_manager.control.health import wait_until_serving
from data_manager.control.supervisor import Supervisor
from data_manager.db import ensure_platform_databases
from data_manager.errors import UserError
from data_manager.locations.registry import Registry
from data_manager.locations.workspace_file import render_workspace
from data_manager.paths import ProjectPaths
from data_manager.settings import env, is_set
from data_manager.stack_runtime import (
    pending_restarts,
    record_code_server_groups,
    restart_request_file,
    served_registry,
)

LOST_RUNS_RETRY_S = 10.0
DROPPED_RETRY_CHECK_S = 60.0
LOST_RUNS_WAIT_S = 300.0  # at most this long for a restarted server before its lost runs are failed anyway


def serve(paths: ProjectPaths, bind: str, local_workspace: Path | None, pidfile: Path | None, grace_s: float) -> int:
    connect_host = "127.0.0.1" if bind in ("0.0.0.0", "::") else bind
    supervisor: Supervisor

    def write_local_workspace(registry: Registry) -> None:
        if local_workspace is not None:
            write_atomic(local_workspace, render_workspace(registry, host_override=connect_host))

    def recover_lost_runs(*location_names: str, died_at: float | None = None) -> None:
        """In the background: note the runs in flight when the servers died, wait until they serve again, then
        fail those runs (so Dagster's retry finds the location); storage errors are retried until it answers."""
        if not is_set("DAGSTER_HOME"):
            return
        died_at = time.time() if died_at is None else died_at
        threading.Thread(target=_recover, args=(location_names, died_at), daemon=True).start()

    def _recover(location_names: tuple[str, ...], died_at: float) -> None:
        from data_manager.control import lost_runs

        names = ", ".join(location_names)
        runs = _until_storage_answers(lambda: lost_runs.in_flight_runs(set(location_names), died_at), names)
        if not runs:
            return
        for name in sorted(set(runs.values())):
            server = supervisor.servers.get(name)
            if server is not None:
                with contextlib.suppress(UserError):
                    wait_until_serving(connect_host, server.spec.port, timeout_s=LOST_RUNS_WAIT_S)
        failed = _until_storage_answers(lambda: lost_runs.fail_runs(runs), names)
        if failed:
            supervisor.say(f"marked {len(failed)} lost run(s) failed: {', '.join(failed)}")

    def _until_storage_answers(call, names: str):
        while True:
            try:
                return call()
            except Exception as exc:  # storage down (Postgres restarting): try again until it answers
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                supervisor.say(f"could not check for lost runs of {names} yet: {reason}")
                time.sleep(LOST_RUNS_RETRY_S)

    def retry_dropped_runs() -> None:
        """Every minute: the retries Dagster's daemon gave up on because a server was away at that moment."""
        from data_manager.control import lost_runs

        workspace = str(local_workspace or paths.workspace_yaml)
        while True:
            time.sleep(DROPPED_RETRY_CHECK_S)
            try:
                retried = lost_runs.retry_dropped_runs(workspace)
            except Exception as exc:  # storage or a code server away: the next check tries again
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                supervisor.say(f"could not check for dropped run retries yet: {first}")
                continue
            if retried:
                supervisor.say(
                    f"retried {len(retried)} failed run(s) whose automatic retry was dropped: {', '.join(retried)}"
                )

    supervisor = Supervisor(
        load_registry=lambda: served_registry(paths),
        bind_host=bind,
        working_directory=paths.app_dir,
        mode=env("CODE_SERVER_MODE"),
        run_worker_start=env("RUN_WORKER_START"),
        code_server_start=env("CODE_SERVER_START"),
        grace_s=grace_s,
        on_registry_change=write_local_workspace,
        on_server_down=recover_lost_runs,
        restart_requests=lambda: pending_restarts(paths),
        on_restarted=lambda name: restart_request_file(paths, name).unlink(missing_ok=True),
        on_processes_changed=lambda pgids: record_code_server_groups(paths, pgids) if local_workspace else None,
    )
    if supervisor.code_server_start == "fork":
        forked_code_servers.start_forkserver()  # its imports run while the databases are checked
    registry = served_registry(paths)
    ensure_platform_databases(say=supervisor.say)
    # A previous data-manager died with these runs in flight; checking needs dagster, so off the start path.
    recover_lost_runs(*[loc.name for loc in registry.enabled])
    if is_set("DAGSTER_HOME"):
        threading.Thread(target=retry_dropped_runs, daemon=True).start()
    if pidfile is not None:
        write_atomic(pidfile, f"{os.getpid()}\n")
    try:
        return supervisor.run()
    finally:
        if pidfile is not None:
            pidfile.unlink(missing_ok=True)
