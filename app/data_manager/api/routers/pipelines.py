"""Universal pipelines over HTTP: CRUD of templates, entities, artifacts and pipelines; launch and watch runs.

Thin: input is validated by the pydantic models, work is done by `data_manager.pipelines`; missing
records are 404, clashes 409, an invalid pipeline 400 with every error, an unreachable Dagster 503.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from daglab.errors import (
    DaglabError,
    DagsterConnectionError,
    DagsterGraphQLError,
    NotFoundError,
    RunConfigValidationError,
)
from data_manager.api.errors import ApiError, ErrorItem
from data_manager.errors import UserError
from data_manager.pipelines import runs
from data_manager.pipelines.log_stream import Position, follow_events
from data_manager.pipelines.models import (
    Artifact,
    ArtifactIn,
    Entity,
    EntityIn,
    Pipeline,
    PipelineIn,
    PipelineRun,
    Template,
    TemplateIn,
)
from data_manager.pipelines.store import Conflict, MissingReferences, NotFound, PipelineStore

router = APIRouter(tags=["pipelines"])
FIELD_PREFIX = re.compile(r"^([a-z_][a-z0-9_]*(?:\.[A-Za-z0-9_]+)*): ")


def field_errors(messages: list[str]) -> list[ErrorItem]:
    """`field: reason` messages as error items whose `path` names the field (`fields.sku` -> fields, sku)."""
    items = []
    for message in messages:
        match = FIELD_PREFIX.match(message)
        path: list[str | int] | None = match.group(1).split(".") if match else None
        items.append(ErrorItem(message=message, path=path))
    return items


def store() -> PipelineStore:
    return PipelineStore()


def call(function, *args: Any) -> Any:
    """Run a service call, mapping its errors to the API's statuses."""
    try:
        return function(*args)
    except NotFound as exc:
        raise ApiError(404, [str(exc)]) from None
    except Conflict as exc:
        raise ApiError(409, [str(exc)]) from None
    except (runs.InvalidPipeline, MissingReferences) as exc:
        raise ApiError(400, field_errors(exc.errors)) from None
    except RunConfigValidationError as exc:
        raise ApiError(400, [str(detail) for detail in exc.errors]) from None
    except NotFoundError as exc:
        raise ApiError(
            503, [f"Dagster does not serve it: {exc} (is the universal_pipelines location loaded?)"]
        ) from None
    except DagsterConnectionError as exc:
        raise ApiError(503, [f"Dagster webserver unreachable: {exc}"]) from None
    except DagsterGraphQLError as exc:
        if (exc.status_code or 0) >= 500:  # the webserver's own storage failed (Postgres restarting): transient
            raise ApiError(
                503, [f"Dagster webserver failed, try again: {exc.server_message.splitlines()[0]}"]
            ) from None
        raise ApiError(502, [f"Dagster answered with an error: {exc}"]) from None
    except DaglabError as exc:
        raise ApiError(502, [f"Dagster answered with an error: {exc}"]) from None


# -- templates -------------------------------------------------------------------------------------
@router.get("/templates", summary="List templates with their fields")
def list_templates() -> list[Template]:
    return call(store().list_templates)


@router.post("/templates", status_code=201, summary="Create a template (strategy, config and fields)")
def create_template(body: TemplateIn) -> Template:
    return call(store().create_template, body)


@router.get("/templates/{template_id}")
def get_template(template_id: int) -> Template:
    return call(store().get_template, template_id)


@router.put("/templates/{template_id}")
def update_template(template_id: int, body: TemplateIn) -> Template:
    return call(store().update_template, template_id, body)


@router.delete("/templates/{template_id}", status_code=204)
def delete_template(template_id: int) -> Response:
    call(store().delete_template, template_id)
    return Response(status_code=204)


# -- entities --------------------------------------------------------------------------------------
@router.get("/entities", summary="List entities (target tables)")
def list_entities() -> list[Entity]:
    return call(store().list_entities)


@router.post("/entities", status_code=201, summary="Create an entity and its table")
def create_entity(body: EntityIn) -> Entity:
    return call(store().create_entity, body)


@router.get("/entities/{entity_id}")
def get_entity(entity_id: int) -> Entity:
    return call(store().get_entity, entity_id)


@router.put("/entities/{entity_id}", summary="Change an entity; its table gains new columns")
def update_entity(entity_id: int, body: EntityIn) -> Entity:
    return call(store().update_entity, entity_id, body)


@router.delete("/entities/{entity_id}", status_code=204, summary="Forget an entity (its table stays)")
def delete_entity(entity_id: int) -> Response:
    call(store().delete_entity, entity_id)
    return Response(status_code=204)


# -- artifacts -------------------------------------------------------------------------------------
@router.get("/artifacts")
def list_artifacts() -> list[Artifact]:
    return call(store().list_artifacts)


@router.post(
    "/artifacts",
    status_code=201,
    summary="Upload a document (multipart `file`, optional `name`, `media_type`) or register a path/URL (JSON)",
)
async def create_artifact(request: Request) -> Artifact:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(
                400, [ErrorItem(message="file: a multipart file part named `file` is required", path=["file"])]
            )
        data = await upload.read()
        meta = {
            "name": form.get("name") or upload.filename or "upload",
            "media_type": form.get("media_type") or upload.content_type or "application/octet-stream",
        }
        content: bytes | None = data
    else:
        try:
            meta = await request.json()
        except ValueError:
            raise ApiError(400, ["body: send JSON {name, media_type, location} or a multipart upload"]) from None
        content = None
    try:
        artifact = ArtifactIn.model_validate(meta)
    except ValidationError as exc:
        raise ApiError(
            422,
            [
                ErrorItem(message=f"{'.'.join(map(str, e['loc']))}: {e['msg']}", path=list(e["loc"]))
                for e in exc.errors()
            ],
        ) from None
    if content is None and artifact.location is None:
        raise ApiError(
            400, [ErrorItem(message="location: a file path or URL is required without an upload", path=["location"])]
        )
    return call(store().create_artifact, artifact, content)


@router.get("/artifacts/{artifact_id}")
def get_artifact(artifact_id: int) -> Artifact:
    return call(store().get_artifact, artifact_id)


@router.delete("/artifacts/{artifact_id}", status_code=204)
def delete_artifact(artifact_id: int) -> Response:
    call(store().delete_artifact, artifact_id)
    return Response(status_code=204)


# -- pipelines -------------------------------------------------------------------------------------
@router.get("/pipelines")
def list_pipelines() -> list[Pipeline]:
    return call(store().list_pipelines)


@router.post("/pipelines", status_code=201)
def create_pipeline(body: PipelineIn) -> Pipeline:
    return call(store().create_pipeline, body)


@router.get("/pipelines/{pipeline_id}")
def get_pipeline(pipeline_id: int) -> Pipeline:
    return call(store().get_pipeline, pipeline_id)


@router.put("/pipelines/{pipeline_id}")
def update_pipeline(pipeline_id: int, body: PipelineIn) -> Pipeline:
    return call(store().update_pipeline, pipeline_id, body)


@router.delete("/pipelines/{pipeline_id}", status_code=204)
def delete_pipeline(pipeline_id: int) -> Response:
    call(store().delete_pipeline, pipeline_id)
    return Response(status_code=204)


# -- runs ------------------------------------------------------------------------------------------
@router.post(
    "/pipelines/{pipeline_id}/runs", status_code=201, summary="Launch the pipeline; 400 lists every config error"
)
def launch_run(pipeline_id: int) -> dict[str, str]:
    run = call(runs.launch, store(), pipeline_id)
    return {"run_id": run.dagster_run_id, "status": run.status}


@router.get("/pipelines/{pipeline_id}/runs", summary="The pipeline's runs, newest first")
def list_runs(pipeline_id: int, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[PipelineRun]:
    records = store()
    call(records.get_pipeline, pipeline_id)
    return call(records.list_runs, pipeline_id, limit)


@router.get("/pipelines/{pipeline_id}/runs/{run_id}", summary="Status, times, counts and error of one run")
def get_run(pipeline_id: int, run_id: str) -> PipelineRun:
    records = store()
    run = call(records.get_run, run_id, pipeline_id)
    try:
        return runs.refresh(records, run)
    except (DaglabError, UserError):
        return run  # Dagster unreachable: the stored row is still the best answer


@router.get(
    "/pipelines/{pipeline_id}/runs/{run_id}/logs",
    summary="The run's event log: a page (`cursor`), or with `follow=true` server-sent events until it ends "
    "(each with an id: reconnecting with `Last-Event-ID` resumes after it, without duplicates)",
)
def run_logs(
    pipeline_id: int,
    run_id: str,
    cursor: str | None = None,
    follow: bool = False,
    last_event_id: Annotated[str | None, Header()] = None,
) -> Any:
    call(store().get_run, run_id, pipeline_id)
    if not follow:
        page = call(runs.logs, run_id, cursor)
        return {
            "events": [e.model_dump(mode="json") for e in page.events],
            "cursor": page.cursor,
            "has_more": page.has_more,
        }
    return StreamingResponse(
        follow_events(run_id, Position.parse(last_event_id, cursor)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/pipelines/{pipeline_id}/runs/{run_id}/cancel", summary="Terminate a queued or running run")
def cancel_run(pipeline_id: int, run_id: str) -> PipelineRun:
    try:
        return call(runs.cancel, store(), pipeline_id, run_id)
    except UserError as exc:  # the run already ended
        raise ApiError(409, [str(exc)]) from None
