"""`/api/designer/locations/{name}/{history,undo,redo,reload}`: the server-side undo journal of the designer's
writes (it survives a page reload), and the location's reload in the running platform (thin over
`data_manager.designer.writes`, `journal` and `reloads`)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from data_manager.api.errors import ErrorBody
from data_manager.api.routers.designer import Layout, Writes
from data_manager.designer import reloads, writes
from data_manager.designer.journal import Journal
from data_manager.designer.locking import location_lock

router = APIRouter(
    prefix="/designer",
    tags=["designer"],
    responses={
        404: {"model": ErrorBody, "description": "Unknown location"},
        409: {"model": ErrorBody, "description": "Nothing to undo or redo, or its files were changed since"},
        422: {"model": ErrorBody, "description": "dg check defs refused the location as it would be"},
    },
)


class ReloadRequest(BaseModel):
    wait: bool = Field(False, description="Answer once the reload has finished (up to 120 s)")


@router.get("/locations/{name}/history", summary="The designer's undo journal of the location (newest last)")
def history(location: Layout) -> dict[str, object]:
    """Read without the location's lock (a write in progress is not listed until it is confirmed)."""
    return Journal.open(location).as_dict(location.name)


def _replayed(location: Layout, undo: bool) -> dict[str, object]:
    with location_lock(location.paths, location.name):
        step, files = writes.undo(location) if undo else writes.redo(location)
    return {"location": location.name, "step": step.as_dict(), "files": files, "reload": reloads.after_write(location)}


@router.post(
    "/locations/{name}/undo",
    summary="Undo the last step (files back byte for byte; checked first)",
    dependencies=Writes,
)
def undo(location: Layout) -> dict[str, object]:
    return _replayed(location, undo=True)


@router.post("/locations/{name}/redo", summary="Redo the last undone step (checked first)", dependencies=Writes)
def redo(location: Layout) -> dict[str, object]:
    return _replayed(location, undo=False)


@router.get("/locations/{name}/reload", summary="The location's latest reload in the running platform")
def reload_status(location: Layout) -> dict[str, object]:
    return reloads.status(location)


@router.post(
    "/locations/{name}/reload",
    summary="Reload the location in the running platform: 202 reloading, or 200 with the outcome when wait=true",
    responses={202: {"description": "The reload started"}},
)
def reload_location(location: Layout, response: Response, body: ReloadRequest | None = None) -> dict[str, object]:
    started = reloads.start(location)
    if body is not None and body.wait:
        return reloads.wait(location)
    response.status_code = 202
    return started
