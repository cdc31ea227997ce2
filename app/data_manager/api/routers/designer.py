"""`/api/designer`: the visual designer's routes, thin over `data_manager.designer` services. This module holds
the shared dependencies, the catalog, locations, checks and previews; the other `designer_*` routers the rest.

Errors are `{"errors": [{"message", "path"?, "file"?, "line"?, "component"?}]}`: 422 invalid input or a
refused `dg check defs` (each problem pinned to its field, e.g. ["attributes", "tables", 0], or to its
component), 404 unknown location/type/instance, 409 conflicts, 413 bodies over 1 MiB. A refused request
changes nothing on disk. Every write answers its journal `step` and the platform `reload` it started. With
DESIGNER_READ_ONLY=1 (Compose, where the code is baked into the image) every route that would change a
location answers 403 and reads still work.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from data_manager.api.errors import ApiError, ErrorBody
from data_manager.components.definition_names import time_zone_names
from data_manager.designer import checks, env_refs, export, locations, preview, reloads
from data_manager.designer.catalog import Catalog, catalog_for
from data_manager.designer.layout import LocationLayout, location_layout
from data_manager.ingestion.naming import POSTGRES_MAX_IDENTIFIER
from data_manager.locations.registry import NAME_PATTERN
from data_manager.paths import ProjectPaths
from data_manager.settings import env

router = APIRouter(
    prefix="/designer",
    tags=["designer"],
    responses={
        403: {"model": ErrorBody, "description": "A change refused because the designer is read-only"},
        404: {"model": ErrorBody, "description": "Unknown location, component type or instance"},
        409: {"model": ErrorBody, "description": "Conflict: exists already, nothing to commit, active runs"},
        422: {"model": ErrorBody, "description": "Invalid input or failed dg step: every error listed"},
        503: {"model": ErrorBody, "description": "The Dagster webserver is not running (run and state routes)"},
    },
)


async def project_paths() -> ProjectPaths:
    return ProjectPaths.discover()


async def catalog(paths: Annotated[ProjectPaths, Depends(project_paths)]) -> Catalog:
    return catalog_for(paths)


def layout(name: str, paths: Annotated[ProjectPaths, Depends(project_paths)]) -> LocationLayout:
    return location_layout(paths, name)


READ_ONLY_MESSAGE = (
    "the designer is read-only here (DESIGNER_READ_ONLY=1: in Compose the code is baked into the image): "
    "change locations in a checkout with `make api` or `make dev`, commit, then rebuild with `make up`"
)


def writable() -> None:
    """Dependency of every route that changes a location's files or the registry: 403 when read-only."""
    if env("DESIGNER_READ_ONLY") == "1":
        raise ApiError(403, [READ_ONLY_MESSAGE])


def written(layout: LocationLayout, result: dict[str, object]) -> dict[str, object]:
    """A write's answer with the platform reload it started (none when nothing changed)."""
    return {**result, "reload": reloads.after_write(layout) if result.get("step") else reloads.status(layout)}


Writes = [Depends(writable)]
Paths = Annotated[ProjectPaths, Depends(project_paths)]
CatalogDep = Annotated[Catalog, Depends(catalog)]
Layout = Annotated[LocationLayout, Depends(layout)]


class NewLocation(BaseModel):
    # Pattern and length are in the OpenAPI schema: the designer checks names with them before it asks
    # (designer/src/generated/facts.ts). The API checks them with the registry's own words (name_problem).
    name: str = Field(
        description="Lower-case Python identifier, as `make add-code-location NAME=`",
        json_schema_extra={"pattern": NAME_PATTERN.pattern, "maxLength": POSTGRES_MAX_IDENTIFIER},
    )
    template: str = Field("empty", description="empty, airbyte, sql or dbt")
    port: int | None = Field(None, description="gRPC port; default the next free one")
    description: str = ""


class CheckRequest(BaseModel):
    defs: bool = Field(True, description="Also run `dg check defs` (loads the definitions; slower)")


COMPONENTS_DOC = {200: {"content": {"application/json": {}}, "description": "JSON document"}}


async def _catalog_json(catalog: Catalog, what: str, refresh: bool = False) -> Response:
    """Warm: pre-encoded bytes straight from memory (the palette's hot path). Cold: built in a worker thread."""
    if refresh or not catalog.warm:
        await run_in_threadpool(catalog.types, refresh)
    return Response(catalog.encoded(what), media_type="application/json")


@router.get(
    "/components",
    summary="Component types (dg list components): key, package, name, summary, description",
    response_class=Response,
    responses=COMPONENTS_DOC,
)
async def list_components(catalog: CatalogDep, refresh: bool = False, schemas: bool = False) -> Response:
    """`{"components": [...], "count": n}`; `schemas=true` adds each type's schema and example."""
    return await _catalog_json(catalog, "listing+schemas" if schemas else "listing", refresh)


@router.get(
    "/components/{component_type}",
    summary="One type: its defs.yaml JSON Schema, description and example",
    response_class=Response,
    responses=COMPONENTS_DOC,
)
async def show_component(component_type: str, catalog: CatalogDep) -> Response:
    """`{"key", "package", "name", "summary", "description", "example", "schema"}`."""
    return await _catalog_json(catalog, component_type)


@router.get("/timezones", summary="The IANA time zones schedules accept (the cron builder's list)")
def list_timezones() -> dict[str, object]:
    return {"timezones": list(time_zone_names()), "default": "UTC"}


@router.get("/names/reserved", summary="Names a new location may not take, and the pattern a name must match")
def reserved_names() -> dict[str, object]:
    return locations.reserved_names()


@router.get("/settings", summary="Whether the designer is read-only and reloads the platform after each write")
def designer_settings() -> dict[str, object]:
    return {"read_only": env("DESIGNER_READ_ONLY") == "1", "auto_reload": reloads.auto_reload()}


@router.get("/locations", summary="Registered locations with their load status and effective ports")
def list_locations(paths: Paths) -> dict[str, object]:
    return locations.list_locations(paths)


@router.post(
    "/locations", status_code=201, summary="Create a location (as make add-code-location)", dependencies=Writes
)
def create_location(body: NewLocation, paths: Paths) -> dict[str, object]:
    return locations.create_location(paths, body.name, body.template, body.port, body.description)


@router.delete(
    "/locations/{name}",
    summary="Remove a location (as make remove-code-location); refused with active runs",
    dependencies=Writes,
)
def remove_location(name: str, paths: Paths, purge: bool = False) -> dict[str, object]:
    return locations.remove_location(paths, name, purge)


@router.post("/locations/{name}/check", summary="Schema, dg check yaml and dg check defs: errors with file/line/path")
def check_location(location: Layout, catalog: CatalogDep, body: CheckRequest | None = None) -> dict[str, object]:
    return checks.check_location(location, catalog, with_defs=(body or CheckRequest()).defs).as_dict()


@router.get(
    "/locations/{name}/preview",
    summary="Assets, checks, jobs (dg list defs), cached by file contents; failing components listed apart",
)
def preview_location(location: Layout, refresh: Annotated[bool, Query()] = False) -> dict[str, object]:
    return preview.preview_location(location, refresh=refresh)


@router.get("/locations/{name}/env", summary="Environment variables the location references, and whether each is set")
def location_env(location: Layout) -> dict[str, object]:
    return {"location": location.name, "variables": env_refs.env_references(location)}


@router.get(
    "/locations/{name}/export",
    summary="The location as a ZIP",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def export_location(location: Layout) -> Response:
    return Response(
        export.export_zip(location),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{location.name}.zip"'},
    )
