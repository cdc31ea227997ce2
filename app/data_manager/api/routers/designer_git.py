"""`/api/designer/locations/{name}/git`: the diff to review before a commit, a commit of the location's changes
(or a chosen change set of them), and the checkout's branches (thin over `data_manager.designer.git_ops`)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from data_manager.api.errors import ErrorBody
from data_manager.api.routers.designer import Layout, Writes
from data_manager.designer import git_ops, reloads

router = APIRouter(
    prefix="/designer",
    tags=["designer"],
    responses={
        404: {"model": ErrorBody, "description": "Unknown location or branch"},
        409: {"model": ErrorBody, "description": "Nothing to commit, a branch exists, uncommitted changes"},
        422: {"model": ErrorBody, "description": "An empty message, a bad branch name, a file not in the change set"},
    },
)


class CommitRequest(BaseModel):
    message: str
    paths: list[str] | None = Field(None, description="Only these of the location's changed files (default all)")


class NewBranch(BaseModel):
    name: str
    checkout: bool = Field(False, description="Switch to it (the files stay as they are)")


class Checkout(BaseModel):
    branch: str


@router.get("/locations/{name}/git", summary="Git status, branch and diff of the location's files only")
def git_status(location: Layout) -> dict[str, object]:
    return git_ops.status(location)


@router.post(
    "/locations/{name}/git/commit", summary="Commit the location's files (or a change set of them)", dependencies=Writes
)
def git_commit(body: CommitRequest, location: Layout) -> dict[str, object]:
    return git_ops.commit(location, body.message, body.paths)


@router.get("/locations/{name}/git/branches", summary="The checkout's branches and the current one")
def git_branches(location: Layout) -> dict[str, object]:
    return git_ops.branches(location)


@router.post("/locations/{name}/git/branches", status_code=201, summary="Create a branch at HEAD", dependencies=Writes)
def git_create_branch(body: NewBranch, location: Layout) -> dict[str, object]:
    return git_ops.create_branch(location, body.name, body.checkout)


@router.post(
    "/locations/{name}/git/checkout",
    summary="Switch the checkout to a branch (refused with uncommitted changes), then reload the location",
    dependencies=Writes,
)
def git_checkout(body: Checkout, location: Layout) -> dict[str, object]:
    switched = git_ops.checkout(location, body.branch)
    return {**switched, "reload": reloads.after_write(location)}
