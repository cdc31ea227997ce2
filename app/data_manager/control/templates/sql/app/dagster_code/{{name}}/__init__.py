"""Code location `{{name}}`: MySQL/MariaDB (or SQL Server) tables -> the Postgres cache -> dbt.

TODO: list your tables in defs/{{name}}_sync/defs.yaml and write the dbt models in
dbt_models/models/{staging,reporting}/{{name}}/; then run `data-manager dbt prepare`.
"""

from pathlib import Path

import dagster as dg

from data_manager.dbt.project import DBT_RESOURCE_KEY, build_dbt_assets, dbt_resource

LOCATION = "{{name}}"

dbt_models = build_dbt_assets(LOCATION)

pipeline = dg.define_asset_job(
    name=f"{LOCATION}_pipeline",
    selection=dg.AssetSelection.groups(LOCATION),
    description="Copy the source tables into the cache, then build this location's dbt models.",
)

# One module-level Definitions only (dagster loads the single one it finds): merge inline.
defs = dg.Definitions.merge(
    dg.load_from_defs_folder(path_within_project=Path(__file__).parent),
    dg.Definitions(assets=[dbt_models], jobs=[pipeline], resources={DBT_RESOURCE_KEY: dbt_resource()}),
)
