"""Names of jobs, schedules and sensors declared in YAML: what Dagster accepts, checked when the YAML loads."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

from data_manager.dagster_private_api import is_valid_cron_string

DEFINITION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Dagster's asset group names: segments of letters, digits and _ separated by /.
GROUP_NAME = r"^[A-Za-z0-9_]+(/[A-Za-z0-9_]+)*$"
# A Postgres identifier the platform writes unquoted: lower case is what Postgres folds to (its length: naming.py).
POSTGRES_IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"


@cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA time zones this Python knows (tzdata): the designer's list, and what schedules accept."""
    return tuple(sorted(available_timezones()))


def check_time_zone(name: str) -> str:
    if name not in time_zone_names():
        raise ValueError(f"{name!r} is not a time zone name such as UTC or Europe/Berlin")
    return name


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
