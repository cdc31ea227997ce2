"""MariaDB/MySQL sample_shop tables -> cache -> dbt staging -> reporting.

The table sync is declared in defs/shop_sync/defs.yaml (SqlTableSyncComponent); dbt models live in
this location's dbt_models/models/{staging,reporting}/ folders and the pipeline job runs both. A
disabled SQL Server example is in the project's examples/mssql_sync/defs.yaml (see its header).
"""

from data_manager.locations.definitions import location_definitions

defs = location_definitions(
    __name__,
    pipeline_description="Copy the sample_shop tables into the cache, then build the shop staging and reporting models.",
)
