"""Code location `universal_pipelines`: one job runs every pipeline defined in the database.

`universal_pipeline` = `plan_chunks` -> `extract_chunk` (one step per chunk of artifacts) -> `load_data`;
its config is built from the pipeline's records at launch (`data-manager pipelines launch`,
`POST /api/pipelines/{id}/runs`). `pipeline_runs_sensor`
keeps `universal_pipelines.pipeline_runs` in step with Dagster for runs launched from anywhere.
"""

from pathlib import Path

import dagster as dg
from dagster_code.universal_pipelines.job import universal_pipeline
from dagster_code.universal_pipelines.resources import PipelinesDatabase
from dagster_code.universal_pipelines.sensor import pipeline_runs_sensor

from data_manager.locations.definitions import defs_folder_definitions

defs = dg.Definitions.merge(
    defs_folder_definitions(Path(__file__).parent),  # components added with dg scaffold
    dg.Definitions(
        jobs=[universal_pipeline],
        sensors=[pipeline_runs_sensor],
        resources={"pipelines_db": PipelinesDatabase()},
    ),
)
