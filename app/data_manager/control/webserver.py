"""The few GraphQL calls the control plane makes to a running dagster-webserver."""

from __future__ import annotations

import os
from typing import Any

import httpx

from data_manager.settings import env

ACTIVE_RUN_STATUSES = ["QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING"]


def default_webserver_url() -> str:
    """`DAGSTER_WEBSERVER_URL`, else the local webserver on the configured port."""
    explicit = os.environ.get("DAGSTER_WEBSERVER_URL")
    if explicit:
        return explicit.rstrip("/")
    return f"http://127.0.0.1:{env('DAGSTER_WEBSERVER_PORT')}"


class WebserverUnavailable(Exception):
    """No webserver answers: the platform is not running."""


def graphql(query: str, variables: dict[str, Any] | None = None, url: str | None = None, timeout: float = 30) -> dict:
    endpoint = f"{url or default_webserver_url()}/graphql"
    try:
        response = httpx.post(endpoint, json={"query": query, "variables": variables or {}}, timeout=timeout)
    except httpx.TransportError as exc:
        raise WebserverUnavailable(f"no webserver at {endpoint}: {exc}") from None
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL error from {endpoint}: {body['errors'][0].get('message')}")
    return body["data"]


def is_up(url: str | None = None) -> bool:
    try:
        graphql("{ version }", url=url, timeout=3)
    except (WebserverUnavailable, httpx.HTTPError, RuntimeError):
        return False
    return True


LOCATION_STATUSES = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus
    locationOrLoadError { __typename ... on PythonError { message } }
} } } }
"""


def location_statuses(url: str | None = None) -> dict[str, dict[str, str | None]]:
    """`{name: {"status": LOADED|LOADING, "error": message or None}}` for every workspace entry."""
    data = graphql(LOCATION_STATUSES, url=url)
    entries = data["workspaceOrError"].get("locationEntries", [])
    result: dict[str, dict[str, str | None]] = {}
    for entry in entries:
        payload = entry.get("locationOrLoadError") or {}
        error = payload.get("message") if payload.get("__typename") == "PythonError" else None
        result[entry["name"]] = {"status": entry["loadStatus"], "error": error}
    return result


def reload_workspace(url: str | None = None) -> None:
    graphql("mutation { reloadWorkspace { __typename } }", url=url, timeout=120)


def reload_location(name: str, url: str | None = None) -> str:
    data = graphql(
        """mutation($name: String!) { reloadRepositoryLocation(repositoryLocationName: $name) {
            __typename ... on PythonError { message } ... on RepositoryLocationNotFound { message } } }""",
        {"name": name},
        url=url,
        timeout=120,
    )
    return data["reloadRepositoryLocation"]["__typename"]


ACTIVE_RUNS = """
query($statuses: [RunStatus!]) { runsOrError(filter: {statuses: $statuses}) {
    __typename ... on Runs { results { runId status repositoryOrigin { repositoryLocationName } } } } }
"""


def active_runs(location: str, url: str | None = None) -> list[str]:
    """Ids of queued or running runs launched from `location`."""
    data = graphql(ACTIVE_RUNS, {"statuses": ACTIVE_RUN_STATUSES}, url=url)
    runs = data["runsOrError"].get("results", [])
    return [
        run["runId"] for run in runs if (run.get("repositoryOrigin") or {}).get("repositoryLocationName") == location
    ]
