"""The deployment's executor for every location: EXECUTOR=multiprocess (Dagster's default) or celery.

`with_platform_execution` is applied by `data_manager.locations.definitions.platform_definitions`, which
every location's Definitions go through, so no location names an executor of its own. With celery:

- every job, including one that pinned an executor for local speed, runs its steps as tasks of
  dagster-celery's executor, on the queue named after the location (a worker serves some locations
  by listening on their queues only);
- broker and backend come from CELERY_BROKER_URL / CELERY_BACKEND_URL at run time (`{"env": ...}`
  config): the URLs, which may hold a password, are never in a run's config or the UI;
- step outputs go through the instance's Postgres (`PostgresStepOutputs`), which every worker reaches.

With multiprocess, step outputs stay files under the instance's storage folder, written whole or not at all
(`AtomicFilesystemIOManager`: a full disk fails the step with one line naming ENOSPC, no truncated file),
and steps fork from a forkserver that imported the location once per run (`warm_multiprocess`).
"""

from __future__ import annotations

import dagster as dg

from data_manager import served_code_preload
from data_manager.dagster_private_api import record_copy
from data_manager.execution.celery_config import CelerySettings, backend_env_var, celery_app_config
from data_manager.execution.pools import claim_slots_promptly
from data_manager.settings import env

IO_MANAGER_KEY = "io_manager"


def warm_multiprocess(module: str) -> dg.ExecutorDefinition:
    """Dagster's multiprocess executor, same config, whose steps fork from a per-run forkserver that imported
    `module` (the location's) once: a spawned step imports Dagster and the location afresh, seconds of every
    step on a small machine. A run's config may still choose its `start_method` (`spawn` included).
    Under a code server that announced its code, the preload is that code, found on the server's working
    directory (served_code_preload.py); elsewhere (`dagster job execute`, tests) the module by name."""

    def forkserver_unless_chosen(config: dict) -> dict:
        preload = served_code_preload.__name__ if served_code_preload.announced() else module
        chosen = config.get("start_method")
        return {**config, "start_method": chosen or {"forkserver": {"preload_modules": [preload]}}}

    schema = dg.multiprocess_executor.config_schema.as_field().config_type
    return dg.multiprocess_executor.configured(forkserver_unless_chosen, config_schema=schema)


def celery_executor_for(location: str) -> dg.ExecutorDefinition:
    """dagster-celery's executor, configured for `location`'s queue (raises when no broker is set)."""
    from dagster_celery import celery_executor

    settings = CelerySettings.from_env()
    return celery_executor.configured(
        {
            "broker": {"env": "CELERY_BROKER_URL"},
            "backend": {"env": backend_env_var()},
            "config_source": celery_app_config(settings, queue=location),
        }
    )


def _unpinned(job: object, executor: dg.ExecutorDefinition) -> object:
    """`job` running on `executor`, whatever executor it pinned."""
    if isinstance(job, dg.JobDefinition):
        return job.with_executor_def(executor) if job.has_specified_executor else job
    if getattr(job, "executor_def", None) is not None:  # define_asset_job(..., executor_def=...)
        return record_copy(job, executor_def=None)
    return job


def with_platform_execution(defs: dg.Definitions, location: str, module: str) -> dg.Definitions:
    """`defs` (of `location`, loaded from `module`) run by the deployment's executor; with multiprocess, the
    default executor's steps warm and the default IO manager atomic. Steps waiting for a pool slot ask often."""
    claim_slots_promptly()
    if env("EXECUTOR") != "celery":
        if defs.executor is None:
            defs = record_copy(defs, executor=warm_multiprocess(module))
        if IO_MANAGER_KEY in (defs.resources or {}):
            return defs
        from data_manager.execution.step_files import AtomicFilesystemIOManager

        return record_copy(defs, resources={**(defs.resources or {}), IO_MANAGER_KEY: AtomicFilesystemIOManager()})
    from data_manager.execution.step_outputs import PostgresStepOutputs

    executor = celery_executor_for(location)
    resources = dict(defs.resources or {})
    resources.setdefault(IO_MANAGER_KEY, PostgresStepOutputs())
    return record_copy(
        defs,
        executor=executor,
        jobs=[_unpinned(job, executor) for job in defs.jobs or []],
        resources=resources,
    )
