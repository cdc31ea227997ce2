"""`create_app()`: the platform API with every router under `routers/`, one error shape, OpenAPI at /api/openapi.json."""

from __future__ import annotations

import importlib
import json
import pkgutil

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from data_manager.api import routers
from data_manager.api.errors import ApiError, ErrorBody, install_error_handlers
from data_manager.api.security import MAX_BODY_BYTES, GuardMiddleware
from data_manager.paths import ProjectPaths
from data_manager.settings import env

API_PREFIX = "/api"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"


def discover_routers() -> list[APIRouter]:
    """Every `router` defined by a module of `data_manager.api.routers`, in module-name order."""
    found = []
    for module_info in sorted(pkgutil.iter_modules(routers.__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{routers.__name__}.{module_info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


DESIGNER_URL = "/designer"


def mount_designer(app: FastAPI) -> None:
    """The designer's built files at /designer/; without a build, a 404 that says how to make one."""
    dist = ProjectPaths.discover().designer_dist
    if (dist / "index.html").is_file():
        app.mount(DESIGNER_URL, StaticFiles(directory=dist, html=True), name="designer")
        return

    @app.get(DESIGNER_URL, include_in_schema=False)
    @app.get(DESIGNER_URL + "/{rest:path}", include_in_schema=False)
    def designer_not_built(rest: str = "") -> None:
        raise ApiError(404, [f"the designer is not built ({dist} has no index.html): run make designer-build"])


def create_app(token: str | None = None, max_body_bytes: int = MAX_BODY_BYTES) -> FastAPI:
    """The ASGI app. `token` defaults to PLATFORM_API_TOKEN; when non-empty every route but /api/health needs it."""
    app = FastAPI(
        title="Data platform API",
        summary="The platform's own API: the designer's routes over dg and the code-location registry.",
        version="1",
        openapi_url=OPENAPI_URL,
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        responses={
            400: {"model": ErrorBody, "description": "Bad input: every error listed"},
            422: {"model": ErrorBody, "description": "Invalid request: every error listed"},
        },
    )
    install_error_handlers(app)

    @app.get(f"{API_PREFIX}/health", tags=["platform"], summary="Liveness probe (no token needed)")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    for router in discover_routers():
        app.include_router(router, prefix=API_PREFIX)
    mount_designer(app)
    app.add_middleware(
        GuardMiddleware, token=env("PLATFORM_API_TOKEN") if token is None else token, max_body_bytes=max_body_bytes
    )
    return app


def openapi_document() -> str:
    """The API's OpenAPI document as JSON text (no server): what `data-manager api --openapi` prints, and where the
    designer's generated types (`designer/src/generated/`, `npm run gen:api`) come from."""
    return json.dumps(create_app(token="").openapi(), indent=2, ensure_ascii=False) + "\n"
