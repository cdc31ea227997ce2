"""The `{{name}}` location loads and its job succeeds in-process."""

import dagster as dg

from dagster_code.{{name}} import defs


def test_{{name}}_definitions_load() -> None:
    assert defs.resolve_job_def("{{name}}_job") is not None


def test_{{name}}_job_succeeds() -> None:
    result = defs.resolve_job_def("{{name}}_job").execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
