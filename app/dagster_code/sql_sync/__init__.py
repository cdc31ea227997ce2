"""Code location `sql_sync`: MariaDB/MySQL sample_shop tables -> cache -> dbt staging -> reporting.

The table sync is declared in defs/shop_sync/defs.yaml (SqlTableSyncComponent); dbt models live in
dbt_models/models/{staging,reporting}/sql_sync/. `sql_sync_pipeline` runs both. A disabled SQL Server
example is in examples/mssql_sync/defs.yaml (see its header for how to enable it).
"""

from pathlib import Path

import dagster as dg

from data_manager.dbt.project import DBT_RESOURCE_KEY, build_dbt_assets, dbt_resource

LOCATION = "sql_sync"

dbt_models = build_dbt_assets(LOCATION)

pipeline = dg.define_asset_job(
    name=f"{LOCATION}_pipeline",
    selection=dg.AssetSelection.groups(LOCATION),
    description="Copy the sample_shop tables into the cache, then build the shop staging and reporting models.",
)

# One module-level Definitions only (dagster loads the single one it finds): merge inline.
defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
    dg.Definitions(assets=[dbt_models], jobs=[pipeline], resources={DBT_RESOURCE_KEY: dbt_resource()}),
)
