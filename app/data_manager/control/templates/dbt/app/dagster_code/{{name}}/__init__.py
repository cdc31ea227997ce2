"""Code location `{{name}}`: dbt models over tables that already are in the cache.

Transform-only: the source tables are synced by another location (by default airbyte_sync's
pyairbyte_cache.faker_users), so the lineage crosses locations. TODO: point
dbt_models/models/staging/{{name}}/sources.yml at your tables, write the models in
dbt_models/models/{staging,reporting}/{{name}}/, then run `data-manager dbt prepare`.
"""

from data_manager.dbt.location import pipeline_location_definitions

defs = pipeline_location_definitions(
    "{{name}}",
    __file__,
    pipeline_description="Build this location's dbt staging and reporting models.",
)
