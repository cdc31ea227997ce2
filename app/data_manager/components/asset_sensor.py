"""`AssetSensorComponent`: launch a job of the location each time an asset is materialized, declared in YAML.

    # defs/orders_refreshed/defs.yaml
    type: data_manager.components.AssetSensorComponent
    attributes:
      sensor_name: orders_refreshed
      asset_key: pyairbyte_cache/shop_orders
      job_name: nightly_orders

Sensors start stopped unless `default_status: RUNNING`; the Dagster daemon evaluates them.
"""

from __future__ import annotations

from typing import Literal

import dagster as dg
from pydantic import Field, field_validator

from data_manager.components.definition_names import DEFINITION_NAME, check_definition_name


class AssetSensorComponent(dg.Component, dg.Model, dg.Resolvable):
    """Runs a job after each new materialization of one asset."""

    sensor_name: str = Field(description="The sensor's name: letters, digits and _", pattern=DEFINITION_NAME.pattern)
    asset_key: str = Field(description="The asset it watches, e.g. pyairbyte_cache/shop_orders")
    job_name: str = Field(description="The job it launches", pattern=DEFINITION_NAME.pattern)
    minimum_interval_seconds: int = Field(default=30, ge=5, description="Seconds between two evaluations")
    default_status: Literal["STOPPED", "RUNNING"] = Field(default="STOPPED", description="On or off when first loaded")

    _names_are_valid = field_validator("sensor_name", "job_name")(check_definition_name)

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        @dg.asset_sensor(
            asset_key=dg.AssetKey.from_user_string(self.asset_key),
            job_name=self.job_name,
            name=self.sensor_name,
            minimum_interval_seconds=self.minimum_interval_seconds,
            default_status=dg.DefaultSensorStatus[self.default_status],
        )
        def launch_job(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry) -> dg.RunRequest:
            return dg.RunRequest(run_key=f"{asset_event.run_id}:{asset_event.timestamp}")

        return dg.Definitions(sensors=[launch_job])
