"""`/api/designer`: the visual designer's routes, thin over `data_manager.designer` services.

Errors are `{"errors": [{"message", "path"?, "file"?, "line"?}]}`: 422 invalid input (each problem pinned to
its field, e.g. ["attributes", "tables", 0]), 404 unknown location/type/instance, 409 conflicts, 413 bodies
over 1 MiB. A refused request changes nothing on disk. With DESIGNER_READ_ONLY=1 (Compose, where the code is
baked into the image) every route that would change a location answers 403 and reads still work.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from data_manager.api.errors import ApiError, ErrorBody
from data_manager.designer import checks, editable_files, env_refs, export, git_ops, instances, locations, preview, runs
from data_manager.designer.catalog import Catalog, catalog_for
from data_manager.designer.layout import LocationLayout, location_layout
from data_manager.designer.problems import DesignerError, Problem
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


Writes = [Depends(writable)]
Paths = Annotated[ProjectPaths, Depends(project_paths)]
CatalogDep = Annotated[Catalog, Depends(catalog)]
Layout = Annotated[LocationLayout, Depends(layout)]


class NewLocation(BaseModel):
    name: str = Field(description="Lower-case Python identifier, as `make add-code-location NAME=`")
    template: str = Field("empty", description="empty, airbyte, sql or dbt")
    port: int | None = Field(None, description="gRPC port; default the next free one")
    description: str = ""


class NewInstance(BaseModel):
    type: str = Field(
        description="Component type key from GET /components, e.g. data_manager.components.SqlTableSyncComponent"
    )
    path: str = Field(description="Folder under the location's defs/, e.g. `shop_sync` or `ingest/shop_sync`")
    attributes: dict[str, Any] | None = Field(None, description="Written after scaffolding; validated first")
    scaffold_params: dict[str, Any] | None = Field(None, description="Passed to `dg scaffold defs --json-params`")


class InstanceUpdate(BaseModel):
    """Exactly one of: new attributes, a whole new defs.yaml text, or a new path (rename)."""

    attributes: dict[str, Any] | None = None
    yaml: str | None = None
    new_path: str | None = None


class CheckRequest(BaseModel):
    defs: bool = Field(True, description="Also run `dg check defs` (loads the definitions; slower)")


class CommitRequest(BaseModel):
    message: str


class FileContent(BaseModel):
    content: str = Field(description="The whole new text of the file (UTF-8)")


class RunRequest(BaseModel):
    assets: list[str] | None = Field(None, description="Asset keys (`a/b`) to materialize; default the pipeline job")


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


@router.get("/locations", summary="Registered locations with their load status from the webserver")
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


@router.get("/locations/{name}/components", summary="The location's component instances")
def list_instances(location: Layout) -> dict[str, object]:
    return {"location": location.name, "components": [item.as_dict() for item in instances.list_instances(location)]}


@router.post(
    "/locations/{name}/components",
    status_code=201,
    summary="Scaffold an instance (dg scaffold defs)",
    dependencies=Writes,
)
def create_instance(body: NewInstance, location: Layout, catalog: CatalogDep) -> dict[str, object]:
    return instances.create_instance(location, catalog, body.type, body.path, body.attributes, body.scaffold_params)


@router.get("/locations/{name}/components/{path:path}", summary="One instance: type, attributes and its YAML")
def read_instance(path: str, location: Layout) -> dict[str, object]:
    return instances.read_instance(location, path)


@router.put(
    "/locations/{name}/components/{path:path}",
    summary="Update attributes or YAML (validated first), or rename",
    dependencies=Writes,
)
def update_instance(path: str, body: InstanceUpdate, location: Layout, catalog: CatalogDep) -> dict[str, object]:
    given = [field for field in ("attributes", "yaml", "new_path") if getattr(body, field) is not None]
    if len(given) != 1:
        raise DesignerError([Problem("give exactly one of attributes, yaml or new_path", path=("body",))])
    if body.attributes is not None:
        return instances.update_attributes(location, catalog, path, body.attributes)
    if body.yaml is not None:
        return instances.update_yaml(location, catalog, path, body.yaml)
    return instances.rename_instance(location, path, body.new_path or "")


@router.delete("/locations/{name}/components/{path:path}", summary="Delete an instance's folder", dependencies=Writes)
def delete_instance(path: str, location: Layout) -> dict[str, object]:
    instances.delete_instance(location, path)
    return {"location": location.name, "deleted": path}


@router.post("/locations/{name}/check", summary="Schema, dg check yaml and dg check defs: errors with file/line/path")
def check_location(location: Layout, catalog: CatalogDep, body: CheckRequest | None = None) -> dict[str, object]:
    return checks.check_location(location, catalog, with_defs=(body or CheckRequest()).defs).as_dict()


@router.get("/locations/{name}/preview", summary="Assets, checks, jobs (dg list defs), cached by file contents")
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


@router.get("/locations/{name}/git", summary="Git status and diff of the location's files only")
def git_status(location: Layout) -> dict[str, object]:
    return git_ops.status(location)


@router.post("/locations/{name}/git/commit", summary="Commit the location's files only", dependencies=Writes)
def git_commit(body: CommitRequest, location: Layout) -> dict[str, object]:
    return git_ops.commit(location, body.message)


@router.post("/locations/{name}/run", status_code=201, summary="Launch the location's pipeline, or chosen assets")
def run_location(location: Layout, body: RunRequest | None = None) -> dict[str, object]:
    """`{"run_id", "status", "url"}`; 503 when the Dagster webserver is not running."""
    return runs.launch_run(location, (body or RunRequest()).assets)


@router.get("/locations/{name}/runs/{run_id}", summary="A run's status, with its page in the Dagster UI")
def run_status(run_id: str, location: Layout) -> dict[str, object]:
    return runs.run_status(location, run_id)


@router.get("/locations/{name}/state", summary="Each asset's live state (materialized, stale, failed) and last run")
def live_state(location: Layout) -> dict[str, object]:
    return runs.live_state(location)


@router.get("/locations/{name}/files", summary="The location's own SQL, YAML and Python files (package and dbt)")
def list_files(location: Layout) -> dict[str, object]:
    return editable_files.list_files(location)


@router.get("/locations/{name}/files/{path:path}", summary="One of the location's files (path relative to the home)")
def read_file(path: str, location: Layout) -> dict[str, object]:
    return editable_files.read_file(location, path)


@router.put(
    "/locations/{name}/files/{path:path}",
    summary="Write one of the location's files: YAML parses, Python compiles, dg check defs passes, or nothing written",
    dependencies=Writes,
)
def write_file(path: str, body: FileContent, location: Layout, catalog: CatalogDep) -> dict[str, object]:
    return editable_files.write_file(location, catalog, path, body.content)
