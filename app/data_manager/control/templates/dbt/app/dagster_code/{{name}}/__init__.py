"""Code location `{{name}}`: dbt models over tables that already are in the cache.

Transform-only: the source tables are synced by another location (by default airbyte_sync's
pyairbyte_cache.faker_users), so the lineage crosses locations. TODO: point
dbt_models/models/staging/{{name}}/sources.yml at your tables, write the models in
dbt_models/models/{staging,reporting}/{{name}}/, then run `data-manager dbt prepare`.
"""

from pathlib import Path

import dagster as dg

from data_manager.dbt.project import DBT_RESOURCE_KEY, build_dbt_assets, dbt_resource

LOCATION = "{{name}}"

dbt_models = build_dbt_assets(LOCATION)

pipeline = dg.define_asset_job(
    name=f"{LOCATION}_pipeline",
    selection=dg.AssetSelection.groups(LOCATION),
    description="Build this location's dbt staging and reporting models.",
)

# One module-level Definitions only (dagster loads the single one it finds): merge inline.
defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
    dg.Definitions(assets=[dbt_models], jobs=[pipeline], resources={DBT_RESOURCE_KEY: dbt_resource()}),
)
