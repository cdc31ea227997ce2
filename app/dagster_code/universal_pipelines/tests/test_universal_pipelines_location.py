"""The `universal_pipelines` location loads: one job, its sensor running by default, one Definitions."""

import importlib

import dagster as dg

from dagster_code.universal_pipelines import defs


def test_universal_pipeline_job_and_sensor() -> None:
    job = defs.resolve_job_def("universal_pipeline")
    assert [node.name for node in job.nodes_in_topological_order] == ["plan_chunks", "extract_chunk", "load_data"]
    sensor = defs.resolve_sensor_def("pipeline_runs_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_code_server_finds_exactly_one_definitions() -> None:
    from data_manager.dagster_private_api import loadable_targets_from_loaded_module

    module = importlib.import_module("dagster_code.universal_pipelines")
    assert [target.attribute for target in loadable_targets_from_loaded_module(module)] == ["defs"]
