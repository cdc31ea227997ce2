"""Code location `sql_sync`: MariaDB/MySQL sample_shop tables -> cache -> dbt staging -> reporting.

The table sync is declared in defs/shop_sync/defs.yaml (SqlTableSyncComponent); dbt models live in
dbt_models/models/{staging,reporting}/sql_sync/. `sql_sync_pipeline` runs both. A disabled SQL Server
example is in examples/mssql_sync/defs.yaml (see its header for how to enable it).
"""

from data_manager.dbt.location import pipeline_location_definitions

defs = pipeline_location_definitions(
    "sql_sync",
    __file__,
    pipeline_description="Copy the sample_shop tables into the cache, then build the shop staging and reporting models.",
)
