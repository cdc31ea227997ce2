"""Names of jobs, schedules and sensors declared in YAML: what Dagster accepts, checked when the YAML loads."""

from __future__ import annotations

import re

from dagster._utils.schedules import is_valid_cron_string

DEFINITION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_definition_name(name: str) -> str:
    if not DEFINITION_NAME.match(name):
        raise ValueError(f"{name!r} is not a valid name: use letters, digits and _, not starting with a digit")
    return name


def check_cron(expression: str) -> str:
    if not is_valid_cron_string(expression):
        raise ValueError(
            f"{expression!r} is not a cron schedule Dagster accepts (five fields: minute hour day month weekday)"
        )
    return expression
