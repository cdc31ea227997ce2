"""This location loads and its pipeline job succeeds in-process."""

import importlib

import dagster as dg

from data_manager.locations.model import Location

LOCATION = Location.for_path(__file__)


def test_definitions_load() -> None:
    assert importlib.import_module(LOCATION.module).defs.resolve_job_def(LOCATION.job_name) is not None


def test_pipeline_job_succeeds() -> None:
    job = importlib.import_module(LOCATION.module).defs.resolve_job_def(LOCATION.job_name)
    assert job.execute_in_process(instance=dg.DagsterInstance.ephemeral()).success
