"""Code location `airbyte_sync`: source-faker -> pyairbyte_cache -> dbt staging -> reporting.

The sync assets are declared in defs/faker_sync/defs.yaml (AirbyteSyncComponent); the dbt models
live in dbt_models/models/{staging,reporting}/airbyte_sync/. `airbyte_sync_pipeline` runs both,
and a daily schedule (off by default) launches it.
"""

import dagster as dg

from data_manager.dbt.location import pipeline_job_name, pipeline_location_definitions

LOCATION = "airbyte_sync"

daily = dg.ScheduleDefinition(
    name=f"{LOCATION}_daily",
    job_name=pipeline_job_name(LOCATION),
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Daily refresh at 06:00 UTC; turn it on in the UI.",
)

defs = pipeline_location_definitions(
    LOCATION,
    __file__,
    pipeline_description="Sync source-faker into the cache, then build the dbt staging and reporting models.",
    schedules=[daily],
)
