"""Universal pipelines over HTTP: CRUD of templates, entities, artifacts and pipelines; preview; launch and watch runs.

Thin: input is validated by the pydantic models and `template_checks`, work is done by
`data_manager.pipelines`; missing records are 404, clashes 409, an invalid template 422 and an invalid
pipeline 400 with every error, a refused artifact location 400, an upload over ARTIFACT_MAX_MB 413, an
unreachable Dagster 503. Uploads stream to storage (the API's 1 MiB body limit is for JSON only).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field, ValidationError

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
from data_manager.pipelines.artifact_access import ArtifactRefused
from data_manager.pipelines.documents import document_kind
from data_manager.pipelines.extraction import document_for
from data_manager.pipelines.limits import ExtractionError
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
from data_manager.pipelines.page_images import MAX_SCALE, MIN_SCALE, PageNotFound, render_page
from data_manager.pipelines.preview import DEFAULT_LIMIT, MAX_LIMIT, preview
from data_manager.pipelines.store import (
    CHUNK_BYTES,
    ArtifactTooLarge,
    Conflict,
    MissingReferences,
    NotFound,
    PipelineStore,
)
from data_manager.pipelines.template_checks import InvalidTemplate

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
    except InvalidTemplate as exc:
        raise ApiError(422, field_errors(exc.errors)) from None
    except ArtifactRefused as exc:
        raise ApiError(400, field_errors([str(exc)])) from None
    except ArtifactTooLarge as exc:
        raise ApiError(413, [ErrorItem(message=str(exc), path=["file"])]) from None
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


class PreviewRequest(BaseModel):
    artifact_id: int
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class UnsavedPreviewRequest(PreviewRequest):
    template: TemplateIn


PREVIEW_SUMMARY = (
    "the first `limit` records (values, per-field errors, page/table/row), `record_count` of all, every table "
    "found (page, bbox in PDF points, header, rows, used or why not), pages, counts, skips; 422 lists every "
    "template problem"
)


def run_preview(template: TemplateIn, artifact_id: int, limit: int) -> dict[str, Any]:
    try:
        return call(preview, store(), template, artifact_id, limit)
    except ExtractionError as exc:
        raise ApiError(422, [ErrorItem(message=str(exc), path=["artifact_id"])]) from None


@router.post("/templates/preview", summary="Preview an unsaved template on an artifact: " + PREVIEW_SUMMARY)
def preview_unsaved_template(body: UnsavedPreviewRequest) -> dict[str, Any]:
    return run_preview(body.template, body.artifact_id, body.limit)


@router.post("/templates/{template_id}/preview", summary="Preview a template on an artifact: " + PREVIEW_SUMMARY)
def preview_template(template_id: int, body: PreviewRequest) -> dict[str, Any]:
    template = call(store().get_template, template_id)
    return run_preview(TemplateIn.model_validate(template.model_dump(include=set(TemplateIn.model_fields))),
                       body.artifact_id, body.limit)  # fmt: skip


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
    response_model=Artifact,
    summary="Upload a document (multipart `file`, optional `name`, `media_type`; streamed, up to ARTIFACT_MAX_MB; "
    "the same bytes again answer 200 with the existing artifact) or register a path/URL (JSON)",
)
async def create_artifact(request: Request) -> Any:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        try:
            meta = await request.json()
        except ValueError:
            raise ApiError(400, ["body: send JSON {name, media_type, location} or a multipart upload"]) from None
        artifact = _artifact_in(meta)
        if artifact.location is None:
            raise ApiError(
                400,
                [ErrorItem(message="location: a file path or URL is required without an upload", path=["location"])],
            )
        return await run_in_threadpool(call, store().create_artifact, artifact)
    form = await request.form(max_files=1, max_fields=10)  # files spool to disk past 1 MB
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(
                400, [ErrorItem(message="file: a multipart file part named `file` is required", path=["file"])]
            )
        artifact = _artifact_in(
            {
                "name": form.get("name") or upload.filename or "upload",
                "media_type": form.get("media_type") or upload.content_type or "application/octet-stream",
            }
        )

        def chunks() -> Any:
            while block := upload.file.read(CHUNK_BYTES):
                yield block

        stored, created = await run_in_threadpool(call, store().store_artifact, artifact, chunks())
    finally:
        await form.close()
    return JSONResponse(stored.model_dump(mode="json"), status_code=201 if created else 200)


def _artifact_in(meta: Any) -> ArtifactIn:
    try:
        return ArtifactIn.model_validate(meta)
    except ValidationError as exc:
        raise ApiError(
            422,
            [
                ErrorItem(message=f"{'.'.join(map(str, e['loc']))}: {e['msg']}", path=list(e["loc"]))
                for e in exc.errors()
            ],
        ) from None


@router.put(
    "/artifacts/{artifact_id}", summary="Rename an artifact, change its media type (or a registered one's path/URL)"
)
def update_artifact(artifact_id: int, body: ArtifactIn) -> Artifact:
    return call(store().update_artifact, artifact_id, body)


@router.get(
    "/artifacts/{artifact_id}/pages/{number}.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "The page, `scale` pixels per PDF point"}},
    summary="A PDF artifact's page as PNG (404 for a page it does not have, 422 for a non-PDF)",
)
def page_image(artifact_id: int, number: int, scale: Annotated[float, Query(ge=MIN_SCALE, le=MAX_SCALE)] = 1.5) -> Response:  # fmt: skip
    records = store()
    artifact = call(records.get_artifact, artifact_id)
    name = f"artifact {artifact.id} ({artifact.name})"
    if document_kind(artifact.media_type, artifact.name) != "pdf":
        raise ApiError(422, [f"{name} is {artifact.media_type}, not a PDF: only PDF pages are rendered"])
    try:
        [source] = list(records.artifact_sources([artifact_id]))
        document, _ = document_for(records, {**source, "name": name})
        image = render_page(document.data, number, scale, name)
    except PageNotFound as exc:
        raise ApiError(404, [str(exc)]) from None
    except ExtractionError as exc:
        raise ApiError(422, [str(exc)]) from None
    tag = f'"{artifact.sha256 or artifact.id}-{number}-{scale}"'
    return Response(image, media_type="image/png", headers={"Cache-Control": "private, max-age=300", "ETag": tag})


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


@router.get(
    "/pipelines/{pipeline_id}/runs/{run_id}",
    summary="Status, times, counts (records, tables and rows found/used/skipped) and error of one run, as soon as "
    "it ends; `progress` (artifacts_done, artifacts_total, records_so_far) while it runs",
)
def get_run(pipeline_id: int, run_id: str) -> PipelineRun:
    records = store()
    run = call(records.get_run, run_id, pipeline_id)
    try:
        return runs.refresh(records, run)
    except (DaglabError, UserError):
        return runs.with_counts(records, run)  # Dagster unreachable: the stored row is still the best answer


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
