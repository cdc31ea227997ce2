"""Wire the supervisor to the registry, the local workspace file and lost-run handling."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from data_manager.atomic_files import write_atomic
from data_manager.control.supervisor import Supervisor, check_mode
from data_manager.db import ensure_platform_databases
from data_manager.paths import ProjectPaths
from data_manager.registry.models import Registry
from data_manager.registry.workspace import render_workspace
from data_manager.settings import env, is_set
from data_manager.stack_runtime import (
    pending_restarts,
    record_code_server_groups,
    restart_request_file,
    served_registry,
)

LOST_RUNS_RETRY_S = 10.0


def serve(paths: ProjectPaths, bind: str, local_workspace: Path | None, pidfile: Path | None, grace_s: float) -> int:
    connect_host = "127.0.0.1" if bind in ("0.0.0.0", "::") else bind
    supervisor: Supervisor

    def write_local_workspace(registry: Registry) -> None:
        if local_workspace is not None:
            write_atomic(local_workspace, render_workspace(registry, host_override=connect_host))

    def fail_runs_of(*location_names: str) -> None:
        if not is_set("DAGSTER_HOME"):
            return
        from data_manager.control.lost_runs import fail_lost_runs

        try:
            failed = fail_lost_runs(set(location_names))
        except Exception as exc:  # storage down (Postgres restarting): try again until it answers
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            supervisor.say(f"could not check for lost runs of {', '.join(location_names)} yet: {reason}")
            retry = threading.Timer(LOST_RUNS_RETRY_S, fail_runs_of, args=location_names)
            retry.daemon = True
            retry.start()
            return
        if failed:
            supervisor.say(f"marked {len(failed)} lost run(s) failed: {', '.join(failed)}")

    supervisor = Supervisor(
        load_registry=lambda: served_registry(paths),
        bind_host=bind,
        working_directory=paths.app_dir,
        mode=check_mode(env("CODE_SERVER_MODE")),
        run_worker_start=env("RUN_WORKER_START"),
        grace_s=grace_s,
        on_registry_change=write_local_workspace,
        on_server_down=fail_runs_of,
        restart_requests=lambda: pending_restarts(paths),
        on_restarted=lambda name: restart_request_file(paths, name).unlink(missing_ok=True),
        on_processes_changed=lambda pgids: record_code_server_groups(paths, pgids) if local_workspace else None,
    )
    registry = served_registry(paths)
    ensure_platform_databases(say=supervisor.say)
    # A previous data-manager died with these runs in flight; checking needs dagster, so off the start path.
    threading.Thread(target=fail_runs_of, args=[loc.name for loc in registry.enabled], daemon=True).start()
    if pidfile is not None:
        write_atomic(pidfile, f"{os.getpid()}\n")
    try:
        return supervisor.run()
    finally:
        if pidfile is not None:
            pidfile.unlink(missing_ok=True)
