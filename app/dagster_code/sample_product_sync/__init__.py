"""Code location `sample_product_sync`: products API -> declarative connector -> cache -> dbt.

The sync asset is declared in defs/products_sync/defs.yaml (AirbyteSyncComponent over the
declarative connector external-connectors/sample-connector.yaml); dbt models live in
dbt_models/models/{staging,reporting}/sample_product_sync/. `sample_product_sync_pipeline` runs both.
"""

from pathlib import Path

import dagster as dg

from data_manager.dbt.project import DBT_RESOURCE_KEY, build_dbt_assets, dbt_resource

LOCATION = "sample_product_sync"

dbt_models = build_dbt_assets(LOCATION)

pipeline = dg.define_asset_job(
    name=f"{LOCATION}_pipeline",
    selection=dg.AssetSelection.groups(LOCATION),
    description="Read the products API into the cache, then build staging_products and products_reporting.",
)

# One module-level Definitions only (dagster loads the single one it finds): merge inline.
defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
    dg.Definitions(assets=[dbt_models], jobs=[pipeline], resources={DBT_RESOURCE_KEY: dbt_resource()}),
)
