"""Routers of the platform API.

Every module here that defines `router: fastapi.APIRouter` is included by `create_app()`, in name order:
add a file, nothing else to register. Routers stay thin: they validate input and call framework-free services.
"""
