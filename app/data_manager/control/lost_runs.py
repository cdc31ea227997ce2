"""Fail runs that died with a code server.

Runs execute inside the code server's process group (DefaultRunLauncher), so when
the supervisor restarts a server those runs are gone. That launcher offers no
worker health check for the daemon's run monitoring, so the supervisor reports
them failed itself instead of leaving them STARTED forever, and gives back the pool
slots they held. Dagster's run retries then re-execute them (platform/dagster.yaml):
the supervisor reports them only once their location serves again, because the
daemon creates a retry from the location's code and gives it up for good when the
server does not answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

LOST_STATUSES = ("STARTING", "STARTED", "CANCELING")


def in_flight_runs(location_names: set[str], created_before: float) -> dict[str, str]:
    """run id -> location of the runs of these locations in flight that were created before the server died
    (a run created later belongs to the restarted server). Empty with RUN_LAUNCHER=docker: runs live in their
    own containers there and outlive the server. Needs DAGSTER_HOME."""
    import dagster as dg

    instance = dg.DagsterInstance.get()
    try:
        if not isinstance(instance.run_launcher, dg.DefaultRunLauncher):
            return {}
        filters = dg.RunsFilter(
            statuses=[dg.DagsterRunStatus[name] for name in LOST_STATUSES],
            created_before=datetime.fromtimestamp(created_before, UTC),
        )
        found = {}
        for run in instance.get_runs(filters=filters):
            origin = run.remote_job_origin
            if origin is not None and origin.location_name in location_names:
                found[run.run_id] = origin.location_name
        return found
    finally:
        instance.dispose()


def fail_runs(runs: dict[str, str]) -> list[str]:
    """Mark these runs (run id -> location) failed, or canceled when they were canceling; those that ended
    meanwhile are left alone. Returns the ids marked."""
    import dagster as dg

    instance = dg.DagsterInstance.get()
    try:
        failed = []
        for run_id, location in runs.items():
            run = instance.get_run_by_id(run_id)
            if run is None or run.status.value not in LOST_STATUSES:
                continue
            message = f"the code server for location {location!r} stopped while this run was in progress"
            if run.status == dg.DagsterRunStatus.CANCELING:
                instance.report_run_canceled(run, message=message)
            else:
                instance.report_run_failed(run, message=message)
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
            failed.append(run_id)
        return failed
    finally:
        instance.dispose()


def retry_dropped_runs(workspace_file: str, settle_s: float = 60, window_s: float = 3600) -> list[str]:
    """Launch the automatic retry Dagster's daemon dropped; returns the failed runs retried.

    The daemon retries a failed run once, when it reads the failure event; if that attempt fails (the location's
    server restarting, Postgres away) it marks the run "will not retry" and never looks again. A run that failed
    more than `settle_s` ago, that the retry policy would retry and that has no retry yet, gets one here, with
    the daemon's own `retry_run` (same tags, same strategy; it never creates a second retry)."""
    from datetime import timedelta

    import dagster as dg

    from data_manager.dagster_private_api import (
        AUTO_RETRY_RUN_ID_TAG,
        PARENT_RUN_ID_TAG,
        RUN_FAILURE_REASON_TAG,
        RunFailureReason,
        WorkspaceFileTarget,
        WorkspaceProcessContext,
        auto_reexecution_should_retry_run,
        retry_run,
    )

    instance = dg.DagsterInstance.get()
    try:
        if not instance.run_retries_enabled:
            return []
        now = datetime.now(UTC)
        failed = instance.get_runs(
            filters=dg.RunsFilter(
                statuses=[dg.DagsterRunStatus.FAILURE],
                updated_after=now - timedelta(seconds=window_s),
                updated_before=now - timedelta(seconds=settle_s),
            )
        )
        dropped = []
        for run in failed:
            if run.tags.get(AUTO_RETRY_RUN_ID_TAG) or instance.get_runs(
                filters=dg.RunsFilter(tags={PARENT_RUN_ID_TAG: run.run_id}), limit=1
            ):
                continue
            reason = run.tags.get(RUN_FAILURE_REASON_TAG)
            if auto_reexecution_should_retry_run(instance, run, RunFailureReason(reason) if reason else None):
                dropped.append(run)
        if not dropped:
            return []
        with WorkspaceProcessContext(instance, WorkspaceFileTarget(paths=[workspace_file])) as context:
            for run in dropped:
                retry_run(run, context)
        return [run.run_id for run in dropped]
    finally:
        instance.dispose()
