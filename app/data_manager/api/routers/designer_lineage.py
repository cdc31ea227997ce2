"""`/api/designer/locations/{name}/lineage`: dependencies drawn between assets of different components, written
as post-processing rules in the target component's defs.yaml, or into a dbt model as a dbt source with
`meta.dagster.asset_key` (thin over `data_manager.designer.lineage`). Writes answer the diff, the journal
`step` and the `reload` they started.

Errors as the other designer routes: every problem at once, 422 invalid (a cycle, a self-loop), 404 unknown
asset, 409 an existing dependency; a refused request changes nothing on disk.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from data_manager.api.errors import ErrorBody
from data_manager.api.routers.designer import Layout, Writes, written
from data_manager.designer import lineage

router = APIRouter(
    prefix="/designer",
    tags=["designer"],
    responses={
        404: {"model": ErrorBody, "description": "Unknown location, asset or dependency"},
        409: {
            "model": ErrorBody,
            "description": "The dependency exists already, is not a drawn one, or its files changed since the reviewed diff",
        },
        422: {"model": ErrorBody, "description": "Invalid input (a cycle, say) or dg refused the result"},
    },
)


class Edge(BaseModel):
    source: str = Field(description="Upstream asset key, e.g. pyairbyte_cache/shop_orders")
    target: str = Field(
        description="Downstream asset key (a component's asset or a dbt model): gets `source` in its deps"
    )
    dry_run: bool = Field(False, description="Only answer the diff of the files it would write")
    expected_diff: str | None = Field(
        None,
        description="Write only if the diff is still this one (a reviewed dry run's); 409 and nothing written otherwise",
    )


@router.get("/locations/{name}/lineage", summary="Every dependency with its origin: drawn, dbt or declared")
def get_lineage(location: Layout) -> dict[str, object]:
    return lineage.lineage(location)


@router.post(
    "/locations/{name}/lineage",
    status_code=201,
    summary="Draw a dependency: post-processing in YAML, or a dbt source of a model; dry_run: the diff only",
    dependencies=Writes,
    responses={200: {"description": "dry_run: the diff, nothing written"}},
)
def add_edge(body: Edge, location: Layout, response: Response) -> dict[str, object]:
    result = lineage.add_edge(location, body.source, body.target, body.dry_run, body.expected_diff)
    if body.dry_run:
        response.status_code = 200
        return result
    return written(location, result)


@router.delete(
    "/locations/{name}/lineage",
    summary="Remove a drawn dependency (its post-processing rule, or its dbt source line)",
    dependencies=Writes,
)
def remove_edge(location: Layout, source: str, target: str, dry_run: bool = False) -> dict[str, object]:
    result = lineage.remove_edge(location, source, target, dry_run)
    return result if dry_run else written(location, result)
