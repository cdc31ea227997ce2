"""The API's one error shape: every 4xx/5xx body is `{"errors": [ErrorItem, ...]}`, never a traceback.

`ApiError` is what services' callers raise; FastAPI's own validation errors and HTTP errors are converted
to the same shape by the handlers `install_error_handlers` registers. A server the request needs that is
away for a moment (Postgres restarting, its connection dropped, the Dagster webserver down) is a 503 with
`Retry-After`, never a 500: the same request works again once it is back, without restarting the API.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import psycopg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from data_manager.designer.problems import CONFLICT, FAILED, INVALID, NOT_FOUND, UNAVAILABLE, DesignerError
from data_manager.errors import EXIT_FAILURE, ServiceUnavailable, UserError

log = logging.getLogger(__name__)
DESIGNER_STATUS = {INVALID: 422, NOT_FOUND: 404, CONFLICT: 409, FAILED: 422, UNAVAILABLE: 503}
RETRY_AFTER_S = 5  # what a 503 tells clients to wait: about what a supervised restart of a server takes
DATABASE_GONE = "the database connection was lost (is Postgres restarting?); try again in a few seconds"


class ErrorItem(BaseModel):
    """One problem. `path` points into the request (or a component's attributes); `file`/`line` into a file."""

    message: str
    path: list[str | int] | None = None
    file: str | None = None
    line: int | None = None
    component: str | None = None


class ErrorBody(BaseModel):
    errors: list[ErrorItem]


class ApiError(Exception):
    """A request the API refuses: its status code and every error found."""

    def __init__(self, status_code: int, errors: Sequence[ErrorItem | str]):
        self.status_code = status_code
        self.errors = [item if isinstance(item, ErrorItem) else ErrorItem(message=item) for item in errors]
        super().__init__("; ".join(item.message for item in self.errors))


class UploadTooLarge(Exception):
    """A streamed upload crossed its limit while the route read it (413, `item` says the limit)."""

    def __init__(self, item: ErrorItem) -> None:
        super().__init__(item.message)
        self.item = item


def error_response(
    status_code: int, errors: Sequence[ErrorItem], headers: dict[str, str] | None = None, extra: dict | None = None
) -> JSONResponse:
    body = ErrorBody(errors=list(errors)).model_dump(mode="json", exclude_none=True)
    if status_code == 503:
        headers = {"Retry-After": str(RETRY_AFTER_S), **(headers or {})}
    return JSONResponse({**(extra or {}), **body}, status_code=status_code, headers=headers)


def _validation_items(exc: RequestValidationError) -> list[ErrorItem]:
    items = []
    for error in exc.errors():
        loc = [part for part in error.get("loc", ()) if isinstance(part, str | int)]
        where = ".".join(str(part) for part in loc)
        items.append(ErrorItem(message=f"{where}: {error.get('msg', 'invalid')}" if where else error["msg"], path=loc))
    return items


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status_code, exc.errors)

    @app.exception_handler(DesignerError)
    async def _designer_error(_request: Request, exc: DesignerError) -> JSONResponse:
        items = [ErrorItem(**problem.as_dict()) for problem in exc.problems]
        return error_response(DESIGNER_STATUS.get(exc.kind, 400), items, extra=exc.extra)

    @app.exception_handler(UserError)
    async def _user_error(_request: Request, exc: UserError) -> JSONResponse:
        # Exit code 1 marks a refusal of a valid request (active runs); 2 bad input.
        return error_response(409 if exc.exit_code == EXIT_FAILURE else 400, [ErrorItem(message=str(exc))])

    @app.exception_handler(UploadTooLarge)
    async def _upload_too_large(_request: Request, exc: UploadTooLarge) -> JSONResponse:
        return error_response(413, [exc.item], headers={"Connection": "close"})

    @app.exception_handler(ServiceUnavailable)
    async def _unavailable(_request: Request, exc: ServiceUnavailable) -> JSONResponse:
        return error_response(503, [ErrorItem(message=str(exc))])

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(sqlalchemy.exc.OperationalError)
    async def _database_gone(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable serving %s %s: %s", request.method, request.url.path, exc)
        return error_response(503, [ErrorItem(message=DATABASE_GONE)])

    @app.exception_handler(psycopg.DataError)
    async def _unstorable_value(_request: Request, exc: psycopg.DataError) -> JSONResponse:
        # A value valid JSON but not storable (a NUL character, a number out of range): the input's fault.
        reason = (exc.diag.message_primary if exc.diag else None) or str(exc).splitlines()[0]
        return error_response(422, [ErrorItem(message=f"a value cannot be stored: {reason}")])

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, _validation_items(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return error_response(exc.status_code, [ErrorItem(message=message)], headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error serving %s %s", request.method, request.url.path)
        return error_response(500, [ErrorItem(message=f"internal error ({type(exc).__name__}); see the API's log")])
