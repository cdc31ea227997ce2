"""`/api/designer/locations/{name}/components`: component instances, validated, created, edited, renamed,
duplicated and deleted (thin over `data_manager.designer.instances` and `instance_moves`).

Every write passes the type's schema and the staged `dg check defs` before one atomic write; it answers the
journal `step` (undoable) and the platform `reload` it started. Errors as the other designer routes; a refused
request changes nothing on disk. The `{path}/references|rename|duplicate` routes come before the plain
`{path}` ones, so an instance path never ends in one of those words (refused when created).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from data_manager.api.errors import ErrorBody
from data_manager.api.routers.designer import CatalogDep, Layout, Writes, written
from data_manager.designer import instance_moves, instances
from data_manager.designer.problems import DesignerError, Problem

router = APIRouter(
    prefix="/designer",
    tags=["designer"],
    responses={
        404: {"model": ErrorBody, "description": "Unknown location, component type or instance"},
        409: {"model": ErrorBody, "description": "The path is taken, or the instance has references (delete)"},
        422: {"model": ErrorBody, "description": "Invalid input, or dg check defs refused the result"},
    },
)


class NewInstance(BaseModel):
    type: str = Field(
        description="Component type key from GET /components, e.g. data_manager.components.SqlTableSyncComponent"
    )
    path: str = Field(description="Folder under the location's defs/, e.g. `shop_sync` or `ingest/shop_sync`")
    attributes: dict[str, Any] | None = Field(None, description="The instance's attributes; validated first")
    scaffold_params: dict[str, Any] | None = Field(None, description="Passed to `dg scaffold defs --json-params`")


class DraftInstance(BaseModel):
    type: str
    path: str
    attributes: dict[str, Any] | None = None
    defs: bool = Field(True, description="Also run the staged `dg check defs` (slower); false: schema only")


class InstanceUpdate(BaseModel):
    """Exactly one of: new attributes, a whole new defs.yaml text, or a new path (rename)."""

    attributes: dict[str, Any] | None = None
    yaml: str | None = None
    new_path: str | None = None


class NewPath(BaseModel):
    path: str = Field(description="The new folder under defs/, e.g. `shop_sync_copy`")


class Duplicate(NewPath):
    attributes: dict[str, Any] | None = Field(None, description="Merged over the copy's attributes")


@router.get("/locations/{name}/components", summary="The location's component instances")
def list_instances(location: Layout) -> dict[str, object]:
    return {"location": location.name, "components": [item.as_dict() for item in instances.list_instances(location)]}


@router.post(
    "/locations/{name}/components/validate",
    summary="Would this new instance be accepted (schema, then the staged dg check defs)? Writes nothing",
)
def validate_instance(body: DraftInstance, location: Layout, catalog: CatalogDep) -> dict[str, object]:
    return instances.validate_instance(location, catalog, body.type, body.path, body.attributes, body.defs)


@router.post(
    "/locations/{name}/components",
    status_code=201,
    summary="Create an instance in one atomic write, once the schema and the staged dg check defs accept it",
    dependencies=Writes,
)
def create_instance(body: NewInstance, location: Layout, catalog: CatalogDep) -> dict[str, object]:
    created = instances.create_instance(location, catalog, body.type, body.path, body.attributes, body.scaffold_params)
    return written(location, created)


@router.get(
    "/locations/{name}/components/{path:path}/references",
    summary="What refers to an instance: drawn lineage, jobs selecting its assets, their schedules and sensors",
)
def instance_references(path: str, location: Layout) -> dict[str, object]:
    return instance_moves.references(location, path)


@router.post(
    "/locations/{name}/components/{path:path}/rename",
    summary="Move an instance to a new folder (names and references follow); checked, one undoable step",
    dependencies=Writes,
)
def rename_instance(path: str, body: NewPath, location: Layout) -> dict[str, object]:
    return written(location, instance_moves.rename_instance(location, path, body.path))


@router.post(
    "/locations/{name}/components/{path:path}/duplicate",
    status_code=201,
    summary="Copy an instance to a new folder (new names; attributes merged over the copy's)",
    dependencies=Writes,
)
def duplicate_instance(path: str, body: Duplicate, location: Layout, catalog: CatalogDep) -> dict[str, object]:
    return written(location, instance_moves.duplicate_instance(location, catalog, path, body.path, body.attributes))


@router.get("/locations/{name}/components/{path:path}", summary="One instance: type, attributes and its YAML")
def read_instance(path: str, location: Layout) -> dict[str, object]:
    return instances.read_instance(location, path)


@router.put(
    "/locations/{name}/components/{path:path}",
    summary="Update attributes or YAML (schema and staged dg check defs first; comments kept), or rename",
    dependencies=Writes,
)
def update_instance(path: str, body: InstanceUpdate, location: Layout, catalog: CatalogDep) -> dict[str, object]:
    given = [field for field in ("attributes", "yaml", "new_path") if getattr(body, field) is not None]
    if len(given) != 1:
        raise DesignerError([Problem("give exactly one of attributes, yaml or new_path", path=("body",))])
    if body.attributes is not None:
        return written(location, instances.update_attributes(location, catalog, path, body.attributes))
    if body.yaml is not None:
        return written(location, instances.update_yaml(location, catalog, path, body.yaml))
    return written(location, instance_moves.rename_instance(location, path, body.new_path or ""))


@router.delete(
    "/locations/{name}/components/{path:path}",
    summary="Delete an instance; 409 listing its references unless cascade=true (then they go too, one step)",
    dependencies=Writes,
)
def delete_instance(path: str, location: Layout, cascade: bool = False) -> dict[str, object]:
    return written(location, instance_moves.delete_instance(location, path, cascade))
