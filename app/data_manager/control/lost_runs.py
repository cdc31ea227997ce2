"""Fail runs that died with a code server.

Runs execute inside the code server's process group (DefaultRunLauncher), so when
the supervisor restarts a server those runs are gone. That launcher offers no
worker health check for the daemon's run monitoring, so the supervisor reports
them failed itself instead of leaving them STARTED forever, and gives back the pool slots
they held. Dagster's run retries then re-execute them (platform/dagster.yaml).
"""

from __future__ import annotations

LOST_STATUSES = ("STARTING", "STARTED", "CANCELING")


def fail_lost_runs(location_names: set[str]) -> list[str]:
    """Mark every in-flight run of these locations failed; returns their ids. Needs DAGSTER_HOME."""
    import dagster as dg

    instance = dg.DagsterInstance.get()
    try:
        if not isinstance(instance.run_launcher, dg.DefaultRunLauncher):
            return []  # runs live elsewhere (RUN_LAUNCHER=docker: their own containers) and outlive the server
        statuses = [dg.DagsterRunStatus[name] for name in LOST_STATUSES]
        failed = []
        for run in instance.get_runs(filters=dg.RunsFilter(statuses=statuses)):
            origin = run.remote_job_origin
            if origin is None or origin.location_name not in location_names:
                continue
            message = f"the code server for location {origin.location_name!r} stopped while this run was in progress"
            if run.status == dg.DagsterRunStatus.CANCELING:
                instance.report_run_canceled(run, message=message)
            else:
                instance.report_run_failed(run, message=message)
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            failed.append(run.run_id)
        return failed
    finally:
        instance.dispose()
