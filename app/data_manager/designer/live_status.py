"""Each asset's live status on the running platform, cheap enough for the canvas to poll every 1-2 s.

Two GraphQL queries per answer (the location's asset nodes with their stale causes and jobs; daglab's query of the
assets' latest materialization and run), shared by every caller for `CACHE_S`; the failed step of a failed run is read once
per run (a finished run does not change). Statuses: running, succeeded, failed, stale (with why), never.

Why an asset is `stale` right after a successful run: Dagster compares each asset with its upstream assets'
*latest* materializations and code versions. In a location whose job materializes an asset and its upstream
assets in one run, all are fresh at the end; an asset reads stale when an upstream asset was materialized again
later (another run of part of the graph), when its code version changed since (a reload with new code), or when
an upstream it depends on was never materialized by this platform (an external source). `why` carries Dagster's
own causes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from daglab.models import FINISHED_STATUSES, UNSUCCESSFUL_STATUSES
from daglab.queries import ASSET_STATES
from data_manager import webserver
from data_manager.designer.layout import LocationLayout
from data_manager.run_errors import root_cause

CACHE_S = 1.0
REPOSITORY = "__repository__"
RUNNING, SUCCEEDED, FAILED, STALE, NEVER = "running", "succeeded", "failed", "stale", "never"
OLD_STATES = {RUNNING: "running", SUCCEEDED: "materialized", FAILED: "failed", STALE: "stale", NEVER: "missing"}

ASSETS_QUERY = """
query DesignerLocationAssets($location: String!, $repository: String!) {
  repositoryOrError(repositorySelector: {repositoryLocationName: $location, repositoryName: $repository}) {
    __typename
    ... on Repository {
      jobs { name isAssetJob }
      assetNodes {
        assetKey { path }
        opNames
        staleStatus
        staleCauses { key { path } category reason dependency { path } }
      }
    }
    ... on Error { message }
  }
}
"""

_cache: dict[tuple[str, str], tuple[float, dict | None]] = {}
_failures: dict[str, list[tuple[str | None, str]]] = {}
_lock = threading.Lock()


def _key(parts: Iterable[str]) -> str:
    return "/".join(parts)


def stale_words(causes: list[dict[str, Any]]) -> str | None:
    """Dagster's stale causes as one sentence: "upstream a/b has a newer materialization; code version changed"."""
    words = []
    for cause in causes:
        dependency = cause.get("dependency") or {}
        where = _key(dependency.get("path") or []) if dependency else _key(cause["key"]["path"])
        reason = cause.get("reason") or cause.get("category", "").lower()
        words.append(f"{where}: {reason}" if where else reason)
    return "; ".join(dict.fromkeys(words)) or None


def _served(location: str) -> dict | None:
    """The location's jobs and asset nodes as the webserver serves them; None when it does not serve it."""
    data = webserver.graphql(ASSETS_QUERY, {"location": location, "repository": REPOSITORY})
    repository = data.get("repositoryOrError") or {}
    if repository.get("__typename") != "Repository":
        return None
    return repository


def _latest(keys: list[list[str]]) -> dict[str, dict]:
    if not keys:
        return {}
    data = webserver.graphql(ASSET_STATES, {"assetKeys": [{"path": key} for key in keys]})
    return {_key(item["assetKey"]["path"]): item for item in data.get("assetsLatestInfo") or []}


def _step_error(run_id: str, op_names: list[str]) -> dict[str, str | None] | None:
    """The failed step of a run that produced this asset (its op), else the run's first failure."""
    if run_id not in _failures:
        try:
            _failures[run_id] = webserver.run_failures(run_id)
        except (webserver.WebserverUnavailable, webserver.WebserverError):
            return None
    failures = _failures[run_id]
    mine = [failure for failure in failures if failure[0] in op_names] or failures
    if not mine:
        return None
    step, message = mine[0]
    return {"step": step, "message": message}


def asset_status(node: dict[str, Any], latest: dict[str, Any]) -> dict[str, object]:
    """One asset's status from its node (stale status and causes) and latest info (materialization, runs)."""
    materialization = latest.get("latestMaterialization") or {}
    run = latest.get("latestRun") or {}
    run_id = run.get("id")
    why = None
    error = None
    # Dagster's in-progress list can still hold a run its latestRun already shows finished: that run is not running.
    finished = {run_id} if run.get("status") in FINISHED_STATUSES else set()
    active = [
        r for r in (latest.get("inProgressRunIds") or []) + (latest.get("unstartedRunIds") or []) if r not in finished
    ]
    if active:
        status = RUNNING
        run_id = active[0]
    elif run.get("status") in UNSUCCESSFUL_STATUSES and run_id != materialization.get("runId"):
        status = FAILED
        error = _step_error(run_id, node.get("opNames") or []) if run.get("status") == "FAILURE" else None
        why = root_cause(error["message"]) if error else f"run {run_id} was {run.get('status', '').lower()}"
    elif not materialization:
        status = NEVER
    elif node.get("staleStatus") == "STALE":
        status = STALE
        why = stale_words(node.get("staleCauses") or []) or "Dagster marks it stale"
    else:
        status = SUCCEEDED
    stamp = materialization.get("timestamp")
    at = float(stamp) / 1000 if stamp else None
    return {
        "key": _key(node["assetKey"]["path"]),
        "status": status,
        "why": why,
        "last_materialization": {"at": at, "run_id": materialization.get("runId")} if stamp else None,
        "run_id": run_id,
        "run_url": webserver.run_page(run_id) if run_id else None,
        "error": error,
        # the first round's keys, kept for clients that read them
        "state": OLD_STATES[status],
        "stale_status": node.get("staleStatus"),
        "materialized_at": at,
        "last_run": {
            "run_id": run["id"],
            "status": run.get("status"),
            "at": run.get("endTime") or run.get("startTime"),
            "url": webserver.run_page(run["id"]),
        }
        if run.get("id")
        else None,
    }


def pipeline_job(location: str, jobs: list[str]) -> str | None:
    """The location's own job: `<name>_pipeline` when served, else its only job, else None (ask which)."""
    if f"{location}_pipeline" in jobs:
        return f"{location}_pipeline"
    return jobs[0] if len(jobs) == 1 else None


def location_status(layout: LocationLayout) -> dict | None:
    """{"jobs", "pipeline_job", "assets": [...]} for the location, or None when the webserver does not serve it.

    Raises webserver.WebserverUnavailable when no webserver answers."""
    cache_key = (str(layout.paths.home), layout.name)
    with _lock:
        cached = _cache.get(cache_key)
        if cached is not None and time.monotonic() - cached[0] < CACHE_S:
            return cached[1]
        served = _served(layout.name)
        if served is None:
            document = None
        else:
            nodes = served.get("assetNodes") or []
            latest = _latest([node["assetKey"]["path"] for node in nodes])
            jobs = sorted(job["name"] for job in served.get("jobs") or [] if not job["name"].startswith("__"))
            document = {
                "jobs": jobs,
                "pipeline_job": pipeline_job(layout.name, jobs),
                "assets": [asset_status(node, latest.get(_key(node["assetKey"]["path"]), {})) for node in nodes],
            }
        _cache[cache_key] = (time.monotonic(), document)
        return document
