"""`AssetJobComponent`: a job that materializes a chosen list of assets, declared in YAML.

    # defs/nightly_orders/defs.yaml
    type: data_manager.components.AssetJobComponent
    attributes:
      job_name: nightly_orders
      assets: [pyairbyte_cache/shop_orders, reporting/shop_orders_reporting]

The keys may belong to any component of the location (or its dbt models); `dg check defs` fails when one
does not exist.
"""

from __future__ import annotations

import dagster as dg
from pydantic import Field, field_validator

from data_manager.components.definition_names import DEFINITION_NAME, check_definition_name


class AssetJobComponent(dg.Component, dg.Model, dg.Resolvable):
    """A job materializing the listed assets (keys written `schema/table`)."""

    job_name: str = Field(description="The job's name: letters, digits and _", pattern=DEFINITION_NAME.pattern)
    assets: list[str] = Field(min_length=1, description="Asset keys the job materializes, e.g. reporting/orders")
    description: str | None = Field(default=None, description="Shown in the Dagster UI")

    _name_is_valid = field_validator("job_name")(check_definition_name)

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        keys = [dg.AssetKey.from_user_string(key) for key in self.assets]
        job = dg.define_asset_job(
            self.job_name, selection=dg.AssetSelection.assets(*keys), description=self.description
        )
        return dg.Definitions(jobs=[job])
