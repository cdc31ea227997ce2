"""`/api/designer/locations/{name}/{run,runs,state}`: materialize from the designer and each asset's live status
(thin over `data_manager.designer.runs`). 503 naming what to start when no Dagster webserver answers."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from data_manager.api.errors import ErrorBody
from data_manager.api.routers.designer import Layout
from data_manager.designer import runs

router = APIRouter(
    prefix="/designer",
    tags=["designer"],
    responses={
        404: {"model": ErrorBody, "description": "Unknown location or run"},
        422: {"model": ErrorBody, "description": "Bad asset keys, an unknown job, or no single job to run"},
        503: {"model": ErrorBody, "description": "The Dagster webserver is not running"},
    },
)


class RunRequest(BaseModel):
    assets: list[str] | None = Field(None, description="Asset keys (`a/b`) to materialize: a node or a selection")
    job: str | None = Field(
        None, description="A job of the location; default its own (`<name>_pipeline` or its only one)"
    )


@router.post("/locations/{name}/run", status_code=201, summary="Launch the location's job, a job, or chosen assets")
def run_location(location: Layout, body: RunRequest | None = None) -> dict[str, object]:
    """`{"run_id", "status", "job", "url", "assets"}`; waits for a reload of the location in progress first."""
    request = body or RunRequest()
    return runs.launch_run(location, request.assets, request.job)


@router.get("/locations/{name}/runs/{run_id}", summary="A run's status, with its page in the Dagster UI")
def run_status(run_id: str, location: Layout) -> dict[str, object]:
    return runs.run_status(location, run_id)


@router.get(
    "/locations/{name}/state",
    summary="Each asset's live status (running, succeeded, failed, stale with why, never), jobs and reload",
)
def live_state(location: Layout) -> dict[str, object]:
    return runs.live_state(location)
