"""Dagster's private API in one place, as dagster-dbt keeps its `compat.py`: every name this platform takes
from `dagster._…` or from the `dg` CLI's package, each with why no public name serves.

Every other module (tests, scripts and the location templates included) imports these names from here, so a
Dagster upgrade that moves one breaks this file alone: tests/platform_core/test_platform_dagster_private_api.py imports
each name and refuses a private import anywhere else.

A name loads on first use (a module `__getattr__`, PEP 562), so importing this module imports nothing: the
supervisor and the API name the modules to preload without importing Dagster, and a code location that wants
a cron check does not pay for the gRPC server or the dg CLI. `from data_manager.dagster_private_api import X`
works as for any module.
"""

from __future__ import annotations

import importlib
from typing import Any

# Modules named where they are preloaded (a forkserver's, the dg forks' server), not imported here.
RUN_WORKER_MODULE = "dagster._grpc.impl"  # what a run worker runs: the forked run workers preload it
DG_CLI_MODULE = "dagster_dg_cli.cli"  # the dg CLI: the designer's dg forks preload it
# What every code server imports (Dagster's gRPC server and CLI): the forkserver of code servers preloads it.
CODE_SERVER_MODULES = ("dagster._grpc.server", "dagster._cli")
# The storage of the temporary instance `dg check defs` / `dg list defs` make (SQLite, with SQLAlchemy and
# Alembic): the designer's dg forks preload it instead of importing it in every fork.
TEMPORARY_INSTANCE_MODULES = (
    "dagster._core.storage.sqlite_storage",
    "dagster._core.storage.event_log.sqlite.sqlite_event_log",
    "dagster._core.storage.runs.sqlite.sqlite_run_storage",
    "dagster._core.storage.schedules.sqlite.sqlite_schedule_storage",
)
# How a step's `dg.Failure` starts in a run's error text (its private module's path): a run's summary drops it.
FAILURE_ERROR_PREFIX = "dagster._core.definitions.events.Failure: "

# name -> (module, attribute; None for the module itself), each with why no public name serves.
_NAMES: dict[str, tuple[str, str | None]] = {
    # cron strings exactly as Dagster's schedules accept them, and their next ticks: Dagster exports neither
    "is_valid_cron_string": ("dagster._utils.schedules", "is_valid_cron_string"),
    "cron_string_iterator": ("dagster._utils.schedules", "cron_string_iterator"),
    # the forked run workers patch how the code server starts a run worker (DagsterApiServer, its entry point)
    "grpc_server": ("dagster._grpc.server", None),
    # what `python -m dagster` runs: the forked run workers' entry point runs it after patching the server
    "dagster_cli_main": ("dagster._cli", "main"),
    # validate asks a running code server which module it serves (no public client)
    "DagsterGrpcClient": ("dagster._grpc.client", "DagsterGrpcClient"),
    # the Celery worker reads dagster-celery's packed step arguments (run id, step keys) to take a step's lease
    "ExecuteStepArgs": ("dagster._grpc.types", "ExecuteStepArgs"),
    "unpack_value": ("dagster._serdes", "unpack_value"),
    # the executor replaces a job's executor_def on Dagster's immutable record
    "record_copy": ("dagster._record", "copy"),
    # a step waiting for a pool slot backs its claims off to 15 s, a constant with no setting: pools.py caps it
    "instance_concurrency_context": ("dagster._core.execution.plan.instance_concurrency_context", None),
    # lost runs: a retry the daemon dropped is made with the daemon's own policy, tags, workspace and retry_run
    "RunFailureReason": ("dagster._core.events", "RunFailureReason"),
    "auto_reexecution_should_retry_run": ("dagster._core.execution.retries", "auto_reexecution_should_retry_run"),
    "AUTO_RETRY_RUN_ID_TAG": ("dagster._core.storage.tags", "AUTO_RETRY_RUN_ID_TAG"),
    "PARENT_RUN_ID_TAG": ("dagster._core.storage.tags", "PARENT_RUN_ID_TAG"),
    "RUN_FAILURE_REASON_TAG": ("dagster._core.storage.tags", "RUN_FAILURE_REASON_TAG"),
    "WorkspaceProcessContext": ("dagster._core.workspace.context", "WorkspaceProcessContext"),
    "WorkspaceFileTarget": ("dagster._core.workspace.load_target", "WorkspaceFileTarget"),
    "retry_run": ("dagster._daemon.auto_run_reexecution.auto_run_reexecution", "retry_run"),
    # the designer runs dg's click group in-process (warm forks, the catalog batch): dg has no Python API
    "dg_cli": (DG_CLI_MODULE, "cli"),
    "DG_ENV_PREFIX": (DG_CLI_MODULE, "ENV_PREFIX"),
    # location tests: the Definitions a code server would find in a location's module
    "loadable_targets_from_loaded_module": (
        "dagster._core.workspace.autodiscovery",
        "loadable_targets_from_loaded_module",
    ),
    # tests: a run config against a job's config schema, the compose instance YAML against dagster.yaml's
    "ResolvedRunConfig": ("dagster._core.system_config.objects", "ResolvedRunConfig"),
    "validate_config": ("dagster._config", "validate_config"),
    "dagster_instance_config_schema": ("dagster._core.instance.config", "dagster_instance_config_schema"),
    # a benchmark runs the universal job as a run worker would, from its module (not a job defined for it)
    "ReconstructableRepository": ("dagster._core.definitions.reconstruct", "ReconstructableRepository"),
    # step outputs written whole or not at all: the atomic IO manager subclasses Dagster's pickling one, which
    # only the private module names (dg.FilesystemIOManager is its config wrapper, not the class that writes)
    "PickledObjectFilesystemIOManager": ("dagster._core.storage.fs_io_manager", "PickledObjectFilesystemIOManager"),
}

__all__ = [
    "CODE_SERVER_MODULES",
    "DG_CLI_MODULE",
    "FAILURE_ERROR_PREFIX",
    "RUN_WORKER_MODULE",
    "TEMPORARY_INSTANCE_MODULES",
    *_NAMES,
]


def __getattr__(name: str) -> Any:
    if name not in _NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module_name, attribute = _NAMES[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value  # later lookups skip this function
    return value
