"""An Airbyte connector -> the Postgres cache -> dbt staging -> reporting.

TODO: configure the connector in external-connectors/ (it starts as source-faker), list its
streams in defs/source_sync/defs.yaml, and write the dbt models in this location's
dbt_models/models/{staging,reporting}/ folders; then run `data-manager dbt prepare`.
"""

from data_manager.locations.definitions import location_definitions

defs = location_definitions(
    __name__,
    pipeline_description="Sync the connector into the cache, then build this location's dbt models.",
)
