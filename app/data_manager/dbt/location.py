"""A pipeline location's definitions: its sync components, its dbt models and one job over both.

The sample locations and the airbyte, sql and dbt templates share this shape, so it lives here once.
"""

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from data_manager.dbt.project import DBT_RESOURCE_KEY, build_dbt_assets, dbt_resource


def pipeline_job_name(location: str) -> str:
    """`<location>_pipeline`: the job that syncs the sources and then builds the dbt models."""
    return f"{location}_pipeline"


def pipeline_location_definitions(
    location: str,
    package_file: str,
    *,
    pipeline_description: str,
    schedules: Sequence[dg.ScheduleDefinition] = (),
) -> dg.Definitions:
    """The location package's `defs/` components, its dbt models, the pipeline job and `schedules`.

    Returns one merged Definitions because dagster loads the single module-level one it finds.
    """
    pipeline = dg.define_asset_job(
        name=pipeline_job_name(location),
        selection=dg.AssetSelection.groups(location),
        description=pipeline_description,
    )
    return dg.Definitions.merge(
        dg.load_from_defs_folder(path_within_project=Path(package_file).parent),
        dg.Definitions(
            assets=[build_dbt_assets(location)],
            jobs=[pipeline],
            schedules=list(schedules),
            resources={DBT_RESOURCE_KEY: dbt_resource()},
        ),
    )
