"""Code location `{{name}}`: an Airbyte connector -> the Postgres cache -> dbt staging -> reporting.

TODO: configure the connector in external-connectors/{{name}}.yaml (it starts as source-faker),
list its streams in defs/{{name}}_sync/defs.yaml, and write the dbt models in
dbt_models/models/{staging,reporting}/{{name}}/; then run `data-manager dbt prepare`.
"""

from data_manager.dbt.location import pipeline_location_definitions

defs = pipeline_location_definitions(
    "{{name}}",
    __file__,
    pipeline_description="Sync the connector into the cache, then build this location's dbt models.",
)
