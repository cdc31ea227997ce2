"""The platform's calls to a running dagster-webserver (control, designer, pipelines), made through daglab's client."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from daglab import DagsterClient
from daglab.errors import DaglabError, DagsterConnectionError, NotFoundError
from daglab.models import ACTIVE_STATUSES, LocationInfo, RunInfo
from data_manager.settings import env


def default_webserver_url() -> str:
    """`DAGSTER_WEBSERVER_URL`, else the local webserver on the configured port."""
    explicit = env("DAGSTER_WEBSERVER_URL")
    if explicit:
        return explicit.rstrip("/")
    return f"http://127.0.0.1:{env('DAGSTER_WEBSERVER_PORT')}"


def ui_url() -> str:
    """Where a browser opens the Dagster UI: `DAGSTER_UI_URL`, else the webserver's URL."""
    explicit = env("DAGSTER_UI_URL")
    return explicit.rstrip("/") if explicit else default_webserver_url()


def run_page(run_id: str) -> str:
    return f"{ui_url()}/runs/{run_id}"


class WebserverUnavailable(Exception):
    """No webserver answers: the platform is not running."""


class WebserverError(Exception):
    """The webserver answered with an error."""


class WebserverNotFound(WebserverError):
    """The webserver knows no such job, asset, run or location."""


@contextmanager
def _client(url: str | None, timeout: float = 30, max_retries: int = 2) -> Iterator[DagsterClient]:
    """A daglab client whose errors become the two exceptions above."""
    try:
        with DagsterClient(url=url or default_webserver_url(), timeout=timeout, max_retries=max_retries) as client:
            yield client
    except DagsterConnectionError as exc:
        raise WebserverUnavailable(str(exc)) from None
    except NotFoundError as exc:
        raise WebserverNotFound(str(exc)) from None
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
        return [run.run_id for run in client.runs(list(ACTIVE_STATUSES), location=location, limit=1000)]


def locations(url: str | None = None, timeout: float = 30) -> list[LocationInfo]:
    """Every location the webserver knows, with its load status and load error."""
    with _client(url, timeout=timeout, max_retries=0) as client:
        return client.locations()


def launch(location: str, job: str, asset_keys: list[list[str]] | None = None, url: str | None = None) -> str:
    """Launch `job` of `location`, or, given `asset_keys`, a job of `location` holding every one; the run's id."""
    with _client(url, max_retries=0) as client:
        if asset_keys:
            target = client.resolve_assets(asset_keys, location=location)
        else:
            target = client.resolve_job(job, location=location)
        return client.launch(target)


def run(run_id: str, url: str | None = None) -> RunInfo:
    with _client(url, timeout=10, max_retries=1) as client:
        return client.run(run_id)


def graphql(document: str, variables: dict | None = None, url: str | None = None, timeout: float = 15) -> dict:
    """Any read-only GraphQL query's `data` (the designer's live status asks for more than daglab models)."""
    with _client(url, timeout=timeout, max_retries=0) as client:
        return client.execute(document, variables)


def run_failures(run_id: str, url: str | None = None) -> list[tuple[str | None, str]]:
    """(step key, error) of each failed step of a run; (None, message) for a run that failed outside a step."""
    with _client(url, timeout=30, max_retries=1) as client:
        events = client.all_logs(run_id)
    failures = [
        (event.step_key, event.error or event.message) for event in events if event.type == "ExecutionStepFailureEvent"
    ]
    if not failures:
        failures = [(None, event.error or event.message) for event in events if event.type == "RunFailureEvent"]
    return failures
