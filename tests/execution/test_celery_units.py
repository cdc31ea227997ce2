"""EXECUTOR=celery without a broker running: which executor every job gets, the shared Celery settings, the
worker's queues and locations. The real broker and workers are in test_celery_workers_e2e.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from data_manager.control.worker_cli import worker_locations
from data_manager.errors import UserError
from data_manager.execution.celery_config import CeleryNotConfigured, CelerySettings, celery_app_config, safe_url
from data_manager.locations.registry_store import load_registry
from platform_support import REPO_ROOT

BROKER = "redis://:Sekr1t-pw@broker.internal:6380/2"
LIST_EXECUTORS = """
import importlib, json, sys
found = {}
for name in sys.argv[1:]:
    repo = importlib.import_module(f"dagster_code.{name}").defs.get_repository_def()
    for job in repo.get_all_jobs():
        executor = job.executor_def
        configured = getattr(executor.config_schema, "_config_fn", None)  # the config `.configured()` baked in
        config = configured(None) if configured else None
        found[f"{name}/{job.name}"] = {
            "executor": executor.name,
            "queue": ((config or {}).get("config_source") or {}).get("task_default_queue"),
            "broker": (config or {}).get("broker"),
            "io_manager": type(job.resource_defs["io_manager"]).__name__,
        }
print(json.dumps(found))
"""


def load_jobs(environ: dict[str, str]) -> subprocess.CompletedProcess:
    names = [location.name for location in load_registry(REPO_ROOT / "code-locations.json").enabled]
    return subprocess.run(
        [sys.executable, "-c", LIST_EXECUTORS, *names], capture_output=True, text=True, cwd=REPO_ROOT,
        env={**environ, "PYTHONPATH": str(REPO_ROOT / "app")}, timeout=300,
    )  # fmt: skip


def test_every_job_of_every_location_runs_on_celery_on_its_own_queue() -> None:
    import os

    result = load_jobs({**os.environ, "EXECUTOR": "celery", "CELERY_BROKER_URL": BROKER})
    assert result.returncode == 0, result.stderr[-2000:]
    jobs = json.loads(result.stdout)
    names = {location.name for location in load_registry(REPO_ROOT / "code-locations.json").enabled}
    assert {key.split("/")[0] for key in jobs} == names
    for key, job in jobs.items():
        assert job["executor"] == "celery", key
        assert job["queue"] == key.split("/")[0], key
        assert job["broker"] == {"env": "CELERY_BROKER_URL"}, key  # the URL itself never enters the definitions
        assert job["io_manager"] != "FilesystemIOManager", key  # outputs must reach other hosts
    assert "Sekr1t" not in result.stdout + result.stderr


def test_multiprocess_stays_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    import dagster as dg

    from data_manager.execution.executor import with_platform_execution

    monkeypatch.delenv("EXECUTOR", raising=False)
    from data_manager.execution.step_files import AtomicFilesystemIOManager

    defs = dg.Definitions(jobs=[dg.define_asset_job("job", selection="*")])
    platform = with_platform_execution(defs, "alpha", "dagster_code.alpha")
    assert platform.executor.name == "multiprocess"  # with warm steps: tests/execution/test_warm_steps.py
    assert isinstance(platform.resources["io_manager"], AtomicFilesystemIOManager)
    own_io_manager = dg.FilesystemIOManager()
    own = dg.Definitions(jobs=defs.jobs, resources={"io_manager": own_io_manager}, executor=dg.in_process_executor)
    mine = with_platform_execution(own, "alpha", "dagster_code.alpha")  # a location's own choices stay
    assert mine.resources["io_manager"] is own_io_manager and mine.executor is dg.in_process_executor


def test_celery_without_a_broker_is_one_clear_error() -> None:
    with pytest.raises(CeleryNotConfigured, match="EXECUTOR=celery needs CELERY_BROKER_URL"):
        CelerySettings.from_env({"EXECUTOR": "celery"})


def test_the_shared_settings_redeliver_a_dead_workers_step() -> None:
    settings = CelerySettings.from_env({"CELERY_BROKER_URL": BROKER, "CELERY_VISIBILITY_TIMEOUT_S": "9"})
    assert settings.backend_url == BROKER  # Redis serves both by default
    config = celery_app_config(settings, queue="sql_sync")
    assert config["task_acks_late"] and config["task_reject_on_worker_lost"]
    assert config["worker_prefetch_multiplier"] == 1
    assert config["broker_transport_options"]["visibility_timeout"] == 9
    assert config["task_default_queue"] == "sql_sync"
    assert "Sekr1t" not in json.dumps(config)


def test_safe_url_hides_the_password() -> None:
    assert safe_url(BROKER) == "redis://:***@broker.internal:6380/2"
    assert safe_url("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_worker_queues_take_what_the_executor_publishes() -> None:
    from data_manager.execution.worker import STEP_TASK, worker_app

    app = worker_app(CelerySettings.from_env({"CELERY_BROKER_URL": BROKER}), ["sql_sync", "universal_pipelines"])
    queues = {queue.name: queue.routing_key for queue in app.conf.task_queues}
    # dagster_celery.executor._submit_task publishes to `queue` with routing key f"{queue}.execute_plan".
    assert queues == {"sql_sync": "sql_sync.execute_plan", "universal_pipelines": "universal_pipelines.execute_plan"}
    assert STEP_TASK in app.tasks and app.tasks[STEP_TASK].acks_late


def test_worker_locations(monkeypatch: pytest.MonkeyPatch) -> None:
    enabled = ["sql_sync", "universal_pipelines"]
    monkeypatch.delenv("CELERY_WORKER_LOCATIONS", raising=False)
    assert worker_locations([], enabled) == enabled
    assert worker_locations(["sql_sync"], enabled) == ["sql_sync"]
    monkeypatch.setenv("CELERY_WORKER_LOCATIONS", " universal_pipelines ")
    assert worker_locations([], enabled) == ["universal_pipelines"]
    with pytest.raises(UserError, match="not an enabled location: nope"):
        worker_locations(["nope"], enabled)
