"""Code location `sample_product_sync`: products API -> declarative connector -> cache -> dbt.

The sync asset is declared in defs/products_sync/defs.yaml (AirbyteSyncComponent over the
declarative connector external-connectors/sample-connector.yaml); dbt models live in
dbt_models/models/{staging,reporting}/sample_product_sync/. `sample_product_sync_pipeline` runs both.
"""

from data_manager.dbt.location import pipeline_location_definitions

defs = pipeline_location_definitions(
    "sample_product_sync",
    __file__,
    pipeline_description="Read the products API into the cache, then build staging_products and products_reporting.",
)
