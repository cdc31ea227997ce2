"""Code location `universal_pipelines`: one job runs every pipeline defined in the database.

`universal_pipeline` = `plan_chunks` -> `extract_chunk` (one step per chunk of artifacts) -> `load_data`;
its config is built from the pipeline's records at launch (`data-manager pipelines launch`,
`POST /api/pipelines/{id}/runs`). `pipeline_runs_sensor`
keeps `universal_pipelines.pipeline_runs` in step with Dagster for runs launched from anywhere.
"""

import dagster as dg
from dagster_code.universal_pipelines.job import universal_pipeline
from dagster_code.universal_pipelines.resources import PipelinesDatabase
from dagster_code.universal_pipelines.sensor import pipeline_runs_sensor

from data_manager.locations.definitions import platform_definitions

defs = platform_definitions(  # with the components added with dg scaffold, and the deployment's executor
    __name__,
    dg.Definitions(
        jobs=[universal_pipeline],
        sensors=[pipeline_runs_sensor],
        resources={"pipelines_db": PipelinesDatabase()},
    ),
)
