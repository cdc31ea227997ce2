"""Steps of the default executor fork from a forkserver that imported the location once per run.

A spawned step starts a fresh interpreter that imports Dagster and the location's code again: seconds of every
step on a small machine. The platform's default executor is Dagster's multiprocess executor with the
`forkserver` start method; a run's config may still choose `spawn`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

LOCATION_MODULE = """
import os
from pathlib import Path

import dagster as dg

from data_manager.execution.executor import with_platform_execution


def parent_command() -> str:
    command = Path(f"/proc/{os.getppid()}/cmdline").read_bytes().replace(b"\\0", b" ").decode()
    return f"{os.getppid()} {command}"


@dg.op
def first() -> str:
    return parent_command()


@dg.op
def second(before: str) -> list[str]:
    return [before, parent_command()]


@dg.job
def two_steps() -> None:
    second(first())


defs = with_platform_execution(dg.Definitions(jobs=[two_steps]), "warm_steps", __name__)
"""


@pytest.fixture
def location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dg.JobDefinition]:
    (tmp_path / "warm_steps_location.py").write_text(textwrap.dedent(LOCATION_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("EXECUTOR", raising=False)
    import warm_steps_location

    yield warm_steps_location
    sys.modules.pop("warm_steps_location", None)


RUN_IT = """
import json, sys

import dagster as dg

from data_manager.dagster_private_api import ReconstructableRepository

repository = ReconstructableRepository.for_module("warm_steps_location", "defs", working_directory=sys.argv[1])
job = repository.get_reconstructable_job("two_steps")
with dg.instance_for_test() as instance, dg.execute_job(job, instance, run_config=json.loads(sys.argv[2])) as result:
    print(json.dumps(result.output_for_node("second") if result.success else None))
"""


def step_parents(location, run_config: dict) -> list[str]:
    """Each step's parent process (pid and command line), for a run of `two_steps` from its module, launched by
    a process of its own as a run worker is (this one's forkserver may already serve other tests)."""
    folder = str(Path(location.__file__).parent)
    done = subprocess.run(
        [sys.executable, "-c", RUN_IT, folder, json.dumps(run_config)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": folder},
    )  # fmt: skip
    parents = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
    assert parents, done.stderr[-3000:]
    return parents


def test_the_platforms_default_executor_is_the_warm_multiprocess_one(location) -> None:
    executor = location.defs.resolve_job_def("two_steps").executor_def
    assert executor.name == "multiprocess"  # run configs that name `multiprocess` still fit
    assert (
        executor.config_schema.as_field().config_type.fields.keys()
        == dg.multiprocess_executor.config_schema.as_field().config_type.fields.keys()
    )


def test_steps_fork_from_one_forkserver_per_run(location) -> None:
    first, second = step_parents(location, {})
    assert "multiprocessing.forkserver" in first and "warm_steps_location" in first, first
    assert first == second  # one forkserver for the run's steps


def test_a_run_may_still_choose_spawn(location) -> None:
    first, second = step_parents(
        location, {"execution": {"config": {"start_method": {"spawn": {}}, "max_concurrent": 1}}}
    )
    assert "multiprocessing.forkserver" not in first and "multiprocessing.forkserver" not in second, (first, second)
