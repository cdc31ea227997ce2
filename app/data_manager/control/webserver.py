"""The control plane's calls to a running dagster-webserver, made through daglab's client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from daglab import DagsterClient
from daglab.errors import DaglabError, DagsterConnectionError
from daglab.models import LocationInfo
from data_manager.settings import env

ACTIVE_RUN_STATUSES = ["QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING"]


def default_webserver_url() -> str:
    """`DAGSTER_WEBSERVER_URL`, else the local webserver on the configured port."""
    explicit = env("DAGSTER_WEBSERVER_URL")
    if explicit:
        return explicit.rstrip("/")
    return f"http://127.0.0.1:{env('DAGSTER_WEBSERVER_PORT')}"


class WebserverUnavailable(Exception):
    """No webserver answers: the platform is not running."""


class WebserverError(Exception):
    """The webserver answered with an error."""


@contextmanager
def _client(url: str | None, timeout: float = 30, max_retries: int = 2) -> Iterator[DagsterClient]:
    """A daglab client whose errors become the two exceptions above."""
    try:
        with DagsterClient(url=url or default_webserver_url(), timeout=timeout, max_retries=max_retries) as client:
            yield client
    except DagsterConnectionError as exc:
        raise WebserverUnavailable(str(exc)) from None
    except DaglabError as exc:
        raise WebserverError(str(exc)) from None


def is_up(url: str | None = None) -> bool:
    try:
        with _client(url, timeout=3, max_retries=0) as client:
            client.version()
    except (WebserverUnavailable, WebserverError):
        return False
    return True


def location_statuses(url: str | None = None) -> dict[str, tuple[str, str | None]]:
    """Each location the webserver knows: (load status, first line of its load error)."""
    with _client(url, timeout=10, max_retries=0) as client:
        return {
            loc.name: (loc.load_status, loc.error.strip().splitlines()[0] if loc.error else None)
            for loc in client.locations()
        }


def reload_workspace(url: str | None = None) -> None:
    with _client(url, timeout=120) as client:
        client.reload_workspace()


def reload_location(name: str, url: str | None = None) -> str | None:
    """Reload one location; returns its load error, or None when it loaded."""
    with _client(url, timeout=120) as client:
        return client.reload_location(name).error


def active_runs(location: str, url: str | None = None) -> list[str]:
    """Ids of queued or running runs launched from `location`."""
    with _client(url) as client:
        return [run.run_id for run in client.runs(ACTIVE_RUN_STATUSES, location=location, limit=1000)]


def locations(url: str | None = None, timeout: float = 30) -> list[LocationInfo]:
    """Every location the webserver knows, with its load status and load error."""
    with _client(url, timeout=timeout, max_retries=0) as client:
        return client.locations()
