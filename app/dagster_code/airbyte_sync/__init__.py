"""Code location `airbyte_sync`: source-faker -> pyairbyte_cache -> dbt staging -> reporting.

The sync assets are declared in defs/faker_sync/defs.yaml (AirbyteSyncComponent); the dbt models
live in dbt_models/models/{staging,reporting}/airbyte_sync/. `airbyte_sync_pipeline` runs both,
and a daily schedule (off by default) launches it.
"""

from pathlib import Path

import dagster as dg

from data_manager.dbt.project import DBT_RESOURCE_KEY, build_dbt_assets, dbt_resource

LOCATION = "airbyte_sync"

dbt_models = build_dbt_assets(LOCATION)

pipeline = dg.define_asset_job(
    name=f"{LOCATION}_pipeline",
    selection=dg.AssetSelection.groups(LOCATION),
    description="Sync source-faker into the cache, then build the dbt staging and reporting models.",
)

daily = dg.ScheduleDefinition(
    name=f"{LOCATION}_daily",
    job=pipeline,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Daily refresh at 06:00 UTC; turn it on in the UI.",
)

# One module-level Definitions only (dagster loads the single one it finds): merge inline.
defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
    dg.Definitions(
        assets=[dbt_models],
        jobs=[pipeline],
        schedules=[daily],
        resources={DBT_RESOURCE_KEY: dbt_resource()},
    ),
)
