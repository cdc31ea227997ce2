"""source-faker -> pyairbyte_cache -> dbt staging -> reporting.

The sync assets are declared in defs/faker_sync/defs.yaml (AirbyteSyncComponent); the dbt models
live in this location's dbt_models/models/{staging,reporting}/ folders. The pipeline job runs
both, and a daily schedule (off by default) launches it.
"""

import dagster as dg

from data_manager.locations.definitions import location_definitions, location_of

location = location_of(__name__)

daily = dg.ScheduleDefinition(
    name=f"{location.name}_daily",
    job_name=location.job_name,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Daily refresh at 06:00 UTC; turn it on in the UI.",
)

defs = location_definitions(
    __name__,
    pipeline_description="Sync source-faker into the cache, then build the dbt staging and reporting models.",
    schedules=[daily],
)
