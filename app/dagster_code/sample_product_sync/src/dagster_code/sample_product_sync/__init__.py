"""Products API -> declarative connector -> cache -> dbt.

The sync asset is declared in defs/products_sync/defs.yaml (AirbyteSyncComponent over the
declarative connector external-connectors/sample-connector.yaml); dbt models live in this
location's dbt_models/models/{staging,reporting}/ folders and the pipeline job runs both.
"""

from data_manager.locations.definitions import location_definitions

defs = location_definitions(
    __name__,
    pipeline_description="Read the products API into the cache, then build staging_products and products_reporting.",
)
