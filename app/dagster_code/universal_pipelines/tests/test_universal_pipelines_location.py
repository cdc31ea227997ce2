"""The `universal_pipelines` location loads and its job succeeds in-process."""

import dagster as dg

from dagster_code.universal_pipelines import defs


def test_universal_pipelines_definitions_load() -> None:
    assert defs.resolve_job_def("universal_pipelines_job") is not None


def test_universal_pipelines_job_succeeds() -> None:
    result = defs.resolve_job_def("universal_pipelines_job").execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
