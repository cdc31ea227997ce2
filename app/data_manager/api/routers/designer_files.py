"""`/api/designer/locations/{name}/files`: the location's own SQL, YAML and Python files (its package and its dbt
folders) listed, read and written (thin over `data_manager.designer.editable_files`).

A write passes its own checks (YAML parses, Python compiles, a defs.yaml's schema), then the staged
`dg check defs` (after `dbt parse` for dbt files), and answers its journal `step` and the `reload` it started.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from data_manager.api.errors import ErrorBody
from data_manager.api.routers.designer import CatalogDep, Layout, Writes, written
from data_manager.designer import editable_files

router = APIRouter(
    prefix="/designer",
    tags=["designer"],
    responses={
        404: {"model": ErrorBody, "description": "Unknown location or file"},
        422: {"model": ErrorBody, "description": "A path outside the location, or a file its checks refuse"},
    },
)


class FileContent(BaseModel):
    content: str = Field(description="The whole new text of the file (UTF-8)")


@router.get("/locations/{name}/files", summary="The location's own SQL, YAML and Python files (package and dbt)")
def list_files(location: Layout) -> dict[str, object]:
    return editable_files.list_files(location)


@router.get("/locations/{name}/files/{path:path}", summary="One of the location's files (path relative to the home)")
def read_file(path: str, location: Layout) -> dict[str, object]:
    return editable_files.read_file(location, path)


@router.put(
    "/locations/{name}/files/{path:path}",
    summary="Write one of the location's files: its checks, then the staged dg check defs, or nothing written",
    dependencies=Writes,
)
def write_file(path: str, body: FileContent, location: Layout, catalog: CatalogDep) -> dict[str, object]:
    return written(location, editable_files.write_file(location, catalog, path, body.content))
