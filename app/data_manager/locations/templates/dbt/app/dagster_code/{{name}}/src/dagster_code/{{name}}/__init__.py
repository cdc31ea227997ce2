"""dbt models over tables that already are in the cache.

Transform-only: the source tables are synced by another location (by default airbyte_sync's
pyairbyte_cache.faker_users), so the lineage crosses locations. TODO: point the sources.yml of
this location's dbt_models/models/staging/ folder at your tables, write the models, then run
`data-manager dbt prepare`.
"""

from data_manager.locations.definitions import location_definitions

defs = location_definitions(__name__, pipeline_description="Build this location's dbt staging and reporting models.")
