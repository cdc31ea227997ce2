"""MySQL/MariaDB (or SQL Server) tables -> the Postgres cache -> dbt.

TODO: list your tables in defs/source_sync/defs.yaml and write the dbt models in this location's
dbt_models/models/{staging,reporting}/ folders; then run `data-manager dbt prepare`.
"""

from data_manager.locations.definitions import location_definitions

defs = location_definitions(
    __name__,
    pipeline_description="Copy the source tables into the cache, then build this location's dbt models.",
)
