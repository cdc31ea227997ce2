"""Jobs, schedules and sensors of a location, each a component instance of the platform's own YAML components
(`AssetJobComponent`, `CronScheduleComponent`, `AssetSensorComponent`) in `defs/<name>/defs.yaml`.

Everything is checked before a write (names, asset keys and jobs against the preview, the cron with Dagster's
own validation, the attributes against the type's schema); the new file is then written through
`writes.apply_change` (the staged `dg check defs`, the journal).
"""

from __future__ import annotations

import time
from itertools import islice
from typing import Any

from data_manager.components.definition_names import DEFINITION_NAME, check_cron, check_time_zone
from data_manager.dagster_private_api import cron_string_iterator
from data_manager.designer import instances, preview
from data_manager.designer.catalog import Catalog
from data_manager.designer.layout import LocationLayout, path_problems
from data_manager.designer.locking import location_lock
from data_manager.designer.problems import CONFLICT, DesignerError, Problem
from data_manager.designer.writes import apply_change

JOB_TYPE = "data_manager.components.AssetJobComponent"
SCHEDULE_TYPE = "data_manager.components.CronScheduleComponent"
SENSOR_TYPE = "data_manager.components.AssetSensorComponent"
NEXT_RUNS = 5


def cron_problems(cron: str, timezone: str) -> list[Problem]:
    """The schedule component's own checks of its cron and time zone, as problems on those fields."""
    problems = []
    checks = (("cron", check_cron, cron.strip(), ""), ("timezone", check_time_zone, timezone, " (GET /timezones)"))
    for field, check, value, where_to_look in checks:
        try:
            check(value)
        except ValueError as exc:
            problems.append(Problem(f"{exc}{where_to_look}", (field,)))
    return problems


def next_runs(cron: str, timezone: str, count: int = NEXT_RUNS, after: float | None = None) -> list[str]:
    """The next `count` run times (ISO 8601 with offset), computed by Dagster's own cron iterator."""
    runs = cron_string_iterator(after if after is not None else time.time(), cron, timezone)
    return [moment.isoformat() for moment in islice(runs, count)]


def _name_problems(name: str, taken: set[str]) -> list[Problem]:
    if not DEFINITION_NAME.match(name):
        return [Problem(f"{name!r} is not a valid name: letters, digits and _, not starting with a digit", ("name",))]
    problems = [Problem(problem, ("name",)) for problem in path_problems(name)]
    if name in taken:
        problems.append(Problem(f"the location already defines {name!r}", ("name",)))
    return problems


def _taken_names(document: dict[str, Any]) -> set[str]:
    return {item["name"] for kind in ("jobs", "schedules", "sensors") for item in document.get(kind, [])}


def _create(
    layout: LocationLayout,
    catalog: Catalog,
    type_key: str,
    name: str,
    attributes: dict[str, Any],
    problems: list[Problem],
) -> dict[str, object]:
    component = catalog.get(type_key)
    problems = problems or instances.attribute_problems(component, attributes)  # the request's fields first
    if problems:
        raise DesignerError(problems)
    with location_lock(layout.paths, layout.name):
        if layout.instance_dir(name).exists():
            raise DesignerError([Problem(f"defs/{name} already exists in {layout.name}", ("name",))], kind=CONFLICT)
        files = instances.new_instance_files(layout, type_key, name, attributes)
        step = apply_change(layout, f"add {name}", files)
    return {**instances.read_instance(layout, name), "step": step.as_dict() if step else None}


def create_job(
    layout: LocationLayout, catalog: Catalog, name: str, assets: list[str], description: str | None = None
) -> dict[str, object]:
    """A job materializing `assets` (keys from the preview, picked on the canvas)."""
    document = preview.preview_location(layout)
    known = {asset["key"] for asset in document["assets"]}
    problems = _name_problems(name, _taken_names(document))
    if not assets:
        problems.append(Problem("pick at least one asset for the job", ("assets",)))
    problems += [
        Problem(f"no asset {key!r} in this location", ("assets", i)) for i, key in enumerate(assets) if key not in known
    ]
    attributes: dict[str, Any] = {"job_name": name, "assets": list(dict.fromkeys(assets))}
    if description:
        attributes["description"] = description
    return _create(layout, catalog, JOB_TYPE, name, attributes, problems)


def _job_problem(job: str, document: dict[str, Any]) -> list[Problem]:
    jobs = sorted(item["name"] for item in document.get("jobs", []))
    if job in jobs:
        return []
    return [Problem(f"no job {job!r} in this location; its jobs: {', '.join(jobs) or 'none'}", ("job",))]


def create_schedule(
    layout: LocationLayout,
    catalog: Catalog,
    name: str,
    job: str,
    cron: str,
    timezone: str = "UTC",
    running: bool = False,
) -> dict[str, object]:
    """A schedule launching `job` on `cron` (read in `timezone`); the answer lists its next five runs."""
    document = preview.preview_location(layout)
    problems = (
        _name_problems(name, _taken_names(document)) + _job_problem(job, document) + cron_problems(cron, timezone)
    )
    attributes = {
        "schedule_name": name,
        "job_name": job,
        "cron_schedule": cron.strip(),
        "execution_timezone": timezone,
        "default_status": "RUNNING" if running else "STOPPED",
    }
    created = _create(layout, catalog, SCHEDULE_TYPE, name, attributes, problems)
    return {**created, "next_runs": next_runs(cron.strip(), timezone)}


def create_sensor(
    layout: LocationLayout, catalog: Catalog, name: str, asset: str, job: str, running: bool = False
) -> dict[str, object]:
    """A sensor launching `job` after each materialization of `asset`."""
    document = preview.preview_location(layout)
    problems = _name_problems(name, _taken_names(document)) + _job_problem(job, document)
    if asset not in {item["key"] for item in document["assets"]}:
        problems.append(Problem(f"no asset {asset!r} in this location", ("asset",)))
    attributes = {
        "sensor_name": name,
        "asset_key": asset,
        "job_name": job,
        "default_status": "RUNNING" if running else "STOPPED",
    }
    return _create(layout, catalog, SENSOR_TYPE, name, attributes, problems)
