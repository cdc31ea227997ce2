"""`CronScheduleComponent`: a schedule that launches a job of the location on a cron, declared in YAML.

    # defs/nightly_orders_schedule/defs.yaml
    type: data_manager.components.CronScheduleComponent
    attributes:
      schedule_name: nightly_orders_schedule
      job_name: nightly_orders
      cron_schedule: "0 6 * * *"
      execution_timezone: UTC

The cron is checked with Dagster's own validation when the YAML loads; schedules start stopped unless
`default_status: RUNNING`.
"""

from __future__ import annotations

from typing import Literal

import dagster as dg
from pydantic import Field, field_validator

from data_manager.components.definition_names import DEFINITION_NAME, check_cron, check_definition_name, check_time_zone


class CronScheduleComponent(dg.Component, dg.Model, dg.Resolvable):
    """Runs a job of the location on a cron schedule."""

    schedule_name: str = Field(
        description="The schedule's name: letters, digits and _", pattern=DEFINITION_NAME.pattern
    )
    job_name: str = Field(
        description="The job it launches, e.g. one from an AssetJobComponent", pattern=DEFINITION_NAME.pattern
    )
    cron_schedule: str = Field(description="Five cron fields: minute hour day-of-month month day-of-week")
    execution_timezone: str = Field(default="UTC", description="Time zone the cron is read in")
    default_status: Literal["STOPPED", "RUNNING"] = Field(default="STOPPED", description="On or off when first loaded")
    description: str | None = Field(default=None, description="Shown in the Dagster UI")

    _name_is_valid = field_validator("schedule_name", "job_name")(check_definition_name)
    _cron_is_valid = field_validator("cron_schedule")(check_cron)
    _timezone_is_valid = field_validator("execution_timezone")(check_time_zone)

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        schedule = dg.ScheduleDefinition(
            name=self.schedule_name,
            job_name=self.job_name,
            cron_schedule=self.cron_schedule,
            execution_timezone=self.execution_timezone,
            default_status=dg.DefaultScheduleStatus[self.default_status],
            description=self.description,
        )
        return dg.Definitions(schedules=[schedule])
