"""Run a location on the running platform and read its live state, through the webserver (daglab's client).

A launch materializes a job of the location (by default its own: `<name>_pipeline` when the platform serves
it, else its only job, as `universal_pipelines` has), or only the asset keys given (`a/b` form). When no
webserver answers, every call is refused as unavailable with one line naming what to start.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from data_manager import webserver
from data_manager.designer import live_status, reloads
from data_manager.designer.layout import LocationLayout
from data_manager.designer.problems import CONFLICT, INVALID, NOT_FOUND, UNAVAILABLE, DesignerError, Problem

RUN_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
MAX_SELECTED_ASSETS = 1000
T = TypeVar("T")


def _on_webserver(call: Callable[[], T], not_found_kind: str, field: str | None = None) -> T:
    """`call()`, its webserver errors turned into refusals in plain words."""
    try:
        return call()
    except webserver.WebserverUnavailable:
        raise DesignerError(
            [f"the Dagster webserver at {webserver.default_webserver_url()} is not running: start the platform "
             "with `make dev` (or `docker compose up`)"],
            kind=UNAVAILABLE,
        ) from None  # fmt: skip
    except webserver.WebserverNotFound as exc:
        raise DesignerError([Problem(str(exc), path=(field,) if field else None)], kind=not_found_kind) from None
    except webserver.WebserverError as exc:
        raise DesignerError([f"the Dagster webserver refused: {exc}"], kind=CONFLICT) from None


def asset_key_problems(asset_keys: list[str]) -> list[Problem]:
    if len(asset_keys) > MAX_SELECTED_ASSETS:
        return [Problem(f"select at most {MAX_SELECTED_ASSETS} assets", path=("assets",))]
    return [
        Problem(f"{key!r} is not an asset key such as `shop/customers`", path=("assets", index))
        for index, key in enumerate(asset_keys)
        if not key or any(not part.strip() for part in key.split("/"))
    ]


def _run_view(layout: LocationLayout, run_id: str, status: str, job: str | None) -> dict[str, object]:
    return {"location": layout.name, "run_id": run_id, "status": status, "job": job, "url": webserver.run_page(run_id)}


def _job_to_launch(layout: LocationLayout, job: str | None) -> str:
    """The job asked for, or the location's own one, as the running platform serves it (after a reload in
    progress has finished, so a job just written can be launched)."""
    document = _on_webserver(lambda: live_status.location_status(layout), CONFLICT)
    if document is None:
        raise DesignerError([f"the running platform does not serve location {layout.name!r} (yet): reload it"])
    jobs = document["jobs"]
    if job is not None:
        if job not in jobs:
            known = ", ".join(jobs) or "none"
            raise DesignerError([Problem(f"no job {job!r} in {layout.name}; its jobs: {known}", path=("job",))])
        return job
    if document["pipeline_job"] is None:
        known = ", ".join(jobs) or "none"
        raise DesignerError(
            [Problem(f"location {layout.name!r} has no single job to run; pick one of: {known}", ("job",))]
        )
    return str(document["pipeline_job"])


def launch_run(
    layout: LocationLayout, asset_keys: list[str] | None = None, job: str | None = None
) -> dict[str, object]:
    """Launch a job of the location (`job`, else its own: `<name>_pipeline` or its only job), or a run of exactly
    `asset_keys`; the run's id, status and UI link. Waits for a reload of the location in progress first."""
    problems = asset_key_problems(asset_keys or [])
    if asset_keys and job:
        problems.append(Problem("give assets or a job, not both", path=("job",)))
    if problems:
        raise DesignerError(problems)
    reloads.wait(layout)
    keys = [key.split("/") for key in asset_keys or []]
    if keys:
        run_id = _on_webserver(lambda: webserver.launch(layout.name, "", keys), INVALID, "assets")
        return {**_run_view(layout, run_id, "QUEUED", None), "assets": asset_keys}
    chosen = _job_to_launch(layout, job)
    run_id = _on_webserver(lambda: webserver.launch(layout.name, chosen), INVALID, "job")
    return {**_run_view(layout, run_id, "QUEUED", chosen), "assets": []}


def run_status(layout: LocationLayout, run_id: str) -> dict[str, object]:
    if not RUN_ID.match(run_id):
        raise DesignerError([Problem(f"{run_id[:80]!r} is not a run id", path=("run_id",))])
    run = _on_webserver(lambda: webserver.run(run_id), NOT_FOUND)
    if run.location and run.location != layout.name:
        raise DesignerError([f"run {run_id} belongs to location {run.location}, not {layout.name}"], kind=NOT_FOUND)
    view = _run_view(layout, run.run_id, run.status, run.job_name)
    return {
        **view,
        "finished": run.is_finished,
        "steps_succeeded": run.steps_succeeded,
        "steps_failed": run.steps_failed,
    }


def live_state(layout: LocationLayout) -> dict[str, object]:
    """Each asset the running platform serves for the location: its status (with why, its last materialization,
    its failed step), the jobs it serves and the reload status.

    `served` is false, with no assets, while the webserver has not loaded the location (a new one)."""
    document = _on_webserver(lambda: live_status.location_status(layout), CONFLICT)
    return {
        "location": layout.name,
        "served": document is not None,
        "dagster_url": webserver.ui_url(),
        "reload": reloads.status(layout),
        "jobs": document["jobs"] if document else [],
        "pipeline_job": document["pipeline_job"] if document else None,
        "assets": document["assets"] if document else [],
    }
