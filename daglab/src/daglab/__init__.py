"""daglab: a light GraphQL client, CLI and notebook helpers for any Dagster webserver (no dagster import)."""

from __future__ import annotations

__version__ = "0.1.0"

from daglab.auth import AuthConfig, AuthType
from daglab.client import AsyncDagsterClient, DagsterClient
from daglab.errors import (
    DaglabError,
    DagsterConnectionError,
    DagsterGraphQLError,
    NotFoundError,
    RunConfigValidationError,
    RunTimeoutError,
    UsageError,
)

__all__ = [
    "AsyncDagsterClient",
    "AuthConfig",
    "AuthType",
    "DaglabError",
    "DagsterClient",
    "DagsterConnectionError",
    "DagsterGraphQLError",
    "NotFoundError",
    "RunConfigValidationError",
    "RunTimeoutError",
    "UsageError",
    "__version__",
]
