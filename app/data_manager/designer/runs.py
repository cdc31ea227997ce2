"""Run a location on the running platform and read its live state, through the webserver (daglab's client).

A launch materializes the location's `<name>_pipeline` job, or only the asset keys given (`a/b` form). When no
webserver answers, every call is refused as unavailable with one line naming what to start.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from data_manager.control import webserver
from data_manager.designer.layout import LocationLayout
from data_manager.designer.problems import CONFLICT, INVALID, NOT_FOUND, UNAVAILABLE, DesignerError, Problem
from data_manager.locations.model import Location

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


def launch_run(layout: LocationLayout, asset_keys: list[str] | None = None) -> dict[str, object]:
    """Launch the location's pipeline job, or a run of exactly `asset_keys`; the run's id, status and UI link."""
    problems = asset_key_problems(asset_keys or [])
    if problems:
        raise DesignerError(problems)
    job = Location.from_entry(layout.location, layout.paths).job_name
    keys = [key.split("/") for key in asset_keys or []]
    run_id = _on_webserver(lambda: webserver.launch(layout.name, job, keys), INVALID, "assets" if keys else None)
    return {**_run_view(layout, run_id, "QUEUED", None if keys else job), "assets": asset_keys or []}


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
    """Each asset the running platform serves for the location: its state and last run (with a UI link).

    `served` is false, with no assets, while the webserver has not loaded the location (a new one)."""
    states = _on_webserver(lambda: webserver.asset_states(layout.name), CONFLICT)
    return {
        "location": layout.name,
        "served": states is not None,
        "dagster_url": webserver.ui_url(),
        "assets": [
            {
                "key": state.path,
                "state": state.state,
                "stale_status": state.stale_status,
                "materialized_at": state.materialized_at,
                "last_run": {
                    "run_id": state.last_run_id,
                    "status": state.last_run_status,
                    "at": state.last_run_at,
                    "url": webserver.run_page(state.last_run_id),
                }
                if state.last_run_id
                else None,
            }
            for state in states or []
        ],
    }
