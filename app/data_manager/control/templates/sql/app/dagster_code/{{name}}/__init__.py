"""Code location `{{name}}`: MySQL/MariaDB (or SQL Server) tables -> the Postgres cache -> dbt.

TODO: list your tables in defs/{{name}}_sync/defs.yaml and write the dbt models in
dbt_models/models/{staging,reporting}/{{name}}/; then run `data-manager dbt prepare`.
"""

from data_manager.dbt.location import pipeline_location_definitions

defs = pipeline_location_definitions(
    "{{name}}",
    __file__,
    pipeline_description="Copy the source tables into the cache, then build this location's dbt models.",
)
