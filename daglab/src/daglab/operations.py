"""Client operations written once, without I/O: each is a generator that yields ``Call``/``Sleep`` actions.

``drive_sync`` and ``drive_async`` execute the actions, so DagsterClient and AsyncDagsterClient share every line
of logic (version fallback, paging, name resolution, polling). Errors raised by a call are thrown back into
the generator, which is how an operation falls back to the legacy API on a GraphQL validation error.
"""

from __future__ import annotations

import asyncio
import fnmatch
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from daglab import queries as q
from daglab.errors import (
    ConfigErrorDetail,
    DaglabError,
    DagsterGraphQLError,
    GraphQLValidationError,
    NotFoundError,
    RunConfigValidationError,
    RunTimeoutError,
    UsageError,
)
from daglab.models import (
    UNSUCCESSFUL_STATUSES,
    AssetInfo,
    AssetState,
    JobInfo,
    LaunchTarget,
    LocationInfo,
    LogEvent,
    LogPage,
    RepositoryInfo,
    RunInfo,
    StepInfo,
    ValidationResult,
)
from daglab.transport import AsyncTransport, SyncTransport

T = TypeVar("T")


@dataclass(frozen=True)
class Call:
    """Send one GraphQL document; ``unsafe`` marks a launch that must never be sent twice."""

    document: str
    variables: Mapping[str, Any] | None = None
    unsafe: bool = False


@dataclass(frozen=True)
class Sleep:
    """Wait between polls (time.sleep or asyncio.sleep, depending on the driver)."""

    seconds: float


Op = Generator[Call | Sleep, Any, T]


@dataclass
class ServerFeatures:
    """What the server supports; ``legacy`` is None until a request proves one way or the other."""

    legacy: bool | None = None


def drive_sync(op: Op[T], transport: SyncTransport) -> T:
    """Run an operation with blocking I/O."""
    value: Any = None
    error: DaglabError | None = None
    while True:
        try:
            action = op.throw(error) if error is not None else op.send(value)
        except StopIteration as stop:
            return stop.value
        value, error = None, None
        if isinstance(action, Sleep):
            time.sleep(action.seconds)
            continue
        try:
            value = transport.execute(action.document, action.variables, unsafe=action.unsafe)
        except DaglabError as exc:
            error = exc


async def drive_async(op: Op[T], transport: AsyncTransport) -> T:
    """Run an operation with asyncio I/O."""
    value: Any = None
    error: DaglabError | None = None
    while True:
        try:
            action = op.throw(error) if error is not None else op.send(value)
        except StopIteration as stop:
            return stop.value
        value, error = None, None
        if isinstance(action, Sleep):
            await asyncio.sleep(action.seconds)
            continue
        try:
            value = await transport.execute(action.document, action.variables, unsafe=action.unsafe)
        except DaglabError as exc:
            error = exc


def versioned(features: ServerFeatures, new: Call, old: Call) -> Op[tuple[dict, bool]]:
    """Send the job-era document; on a validation error naming job-era fields, switch to the legacy one.

    Returns (data, legacy). A rejected launch is safe to resend in legacy form: validation happens before
    execution, so the server never started anything.
    """
    if features.legacy is not True:
        try:
            data = yield new
        except GraphQLValidationError as exc:
            if features.legacy is False or not any(name in exc.server_message for name in q.JOB_ERA_NAMES):
                raise
            features.legacy = True
        else:
            features.legacy = False
            return data, False
    data = yield old
    return data, True


def _union(value: Any, ok: str | tuple[str, ...], what: str) -> dict:
    """Return a union result of the expected type, or raise DagsterGraphQLError with the server's message."""
    expected = (ok,) if isinstance(ok, str) else ok
    if isinstance(value, dict) and value.get("__typename") in expected:
        return value
    raise _union_error(value, what)


def _union_error(value: Any, what: str) -> DagsterGraphQLError:
    """The error for an unexpected union member (PythonError, UnauthorizedError, ...), with the server's message."""
    if not isinstance(value, dict):
        return DagsterGraphQLError(f"{what}: empty answer from server")
    message = value.get("message") or value.get("__typename", "unknown error")
    return DagsterGraphQLError(f"{what}: {message}", server_message=str(message))


# ---- discovery -------------------------------------------------------------------------------------------------


def server_version() -> Op[str]:
    data = yield Call(q.VERSION)
    return str(data.get("version", "unknown"))


def list_locations(features: ServerFeatures) -> Op[list[LocationInfo]]:
    """Every code location with load status, load error, repositories and their jobs."""
    data, legacy = yield from versioned(features, Call(q.WORKSPACE), Call(q.WORKSPACE_LEGACY))
    workspace = _union(data.get("workspaceOrError"), "Workspace", "workspace")
    locations: list[LocationInfo] = []
    for entry in workspace.get("locationEntries", []):
        loaded = entry.get("locationOrLoadError") or {}
        info = LocationInfo(
            name=entry["name"], load_status=str(entry.get("loadStatus", "UNKNOWN")), error=_load_error(loaded)
        )
        for repo in loaded.get("repositories", []) or []:
            jobs_raw = repo.get("pipelines" if legacy else "jobs", [])
            jobs = [
                JobInfo(
                    name=j["name"],
                    repository=repo["name"],
                    location=entry["name"],
                    description=j.get("description"),
                    is_asset_job=bool(j.get("isAssetJob", j["name"].startswith("__ASSET_JOB"))),
                    tags={t["key"]: t["value"] for t in j.get("tags", [])},
                )
                for j in jobs_raw
            ]
            info.repositories.append(RepositoryInfo(name=repo["name"], location=entry["name"], jobs=jobs))
        locations.append(info)
    return locations


def list_assets(features: ServerFeatures, locations: list[LocationInfo], page_size: int = 200) -> Op[list[AssetInfo]]:
    """Every asset of every loaded repository, fetched page by page so large graphs stay cheap per request."""
    assets: list[AssetInfo] = []
    for location in locations:
        for repo in location.repositories:
            selector = {"repositoryName": repo.name, "repositoryLocationName": location.name}
            cursor: str | None = None
            while True:
                new = Call(q.ASSETS_PAGE, {"selector": selector, "cursor": cursor, "limit": page_size})
                try:
                    data = yield new
                except GraphQLValidationError as exc:
                    if "assetNodesConnection" not in exc.server_message and "kinds" not in exc.server_message:
                        raise
                    data = yield Call(q.ASSETS_LEGACY, {"selector": selector})
                    nodes = _union(data.get("repositoryOrError"), "Repository", "assets")["assetNodes"]
                    assets += [_asset(n, repo) for n in nodes]
                    break
                page = _union(data.get("repositoryOrError"), "Repository", "assets")["assetNodesConnection"]
                assets += [_asset(n, repo) for n in page["nodes"]]
                cursor = page.get("cursor")
                if not page.get("hasMore") or not cursor:
                    break
    return assets


def _asset(node: dict, repo: RepositoryInfo) -> AssetInfo:
    kinds = node.get("kinds")
    if kinds is None:
        kinds = [node["computeKind"]] if node.get("computeKind") else []
    return AssetInfo(
        key=list(node["assetKey"]["path"]),
        group=node.get("groupName"),
        description=node.get("description"),
        deps=["/".join(d["path"]) for d in node.get("dependencyKeys", [])],
        kinds=list(kinds),
        tags={t["key"]: t["value"] for t in node.get("tags", [])},
        job_names=list(node.get("jobNames", [])),
        repository=repo.name,
        location=repo.location,
    )


def asset_states(features: ServerFeatures, keys: list[list[str]]) -> Op[list[AssetState]]:
    """Each asset's live state, in the order of ``keys``: its stale status, last materialization and last run."""
    if not keys:
        return []
    data = yield Call(q.ASSET_STATES, {"assetKeys": [{"path": key} for key in keys]})
    stale = {tuple(n["assetKey"]["path"]): n.get("staleStatus") for n in data.get("assetNodes") or []}
    latest = {tuple(i["assetKey"]["path"]): i for i in data.get("assetsLatestInfo") or []}
    return [derive_asset_state(list(key), stale.get(tuple(key)), latest.get(tuple(key)) or {}) for key in keys]


def derive_asset_state(key: list[str], stale_status: str | None, info: dict) -> AssetState:
    materialization = info.get("latestMaterialization") or {}
    run = info.get("latestRun") or {}
    if info.get("inProgressRunIds") or info.get("unstartedRunIds"):
        state = "running"
    elif run.get("status") in UNSUCCESSFUL_STATUSES and run.get("id") != materialization.get("runId"):
        state = "failed"
    elif not materialization:
        state = "missing"
    elif stale_status == "STALE":
        state = "stale"
    else:
        state = "materialized"
    stamp = materialization.get("timestamp")
    return AssetState(
        key=key,
        state=state,
        stale_status=stale_status,
        materialized_at=float(stamp) / 1000 if stamp else None,
        materialized_by_run=materialization.get("runId"),
        last_run_id=run.get("id"),
        last_run_status=run.get("status"),
        last_run_at=run.get("endTime") or run.get("startTime"),
    )


def all_jobs(locations: Iterable[LocationInfo]) -> list[JobInfo]:
    return [job for loc in locations for repo in loc.repositories for job in repo.jobs]


# ---- resolving what to launch ----------------------------------------------------------------------------------


def _narrow(locations: list[LocationInfo], location: str | None, repository: str | None) -> list[RepositoryInfo]:
    """Repositories matching --location/--repo; unknown names raise NotFoundError with the closest names."""
    if location is not None and location not in {loc.name for loc in locations}:
        raise NotFoundError("location", location, known=[loc.name for loc in locations])
    repos = [r for loc in locations if location in (None, loc.name) for r in loc.repositories]
    if repository is not None:
        if repository not in {r.name for r in repos}:
            raise NotFoundError("repository", repository, known=[r.name for r in repos])
        repos = [r for r in repos if r.name == repository]
    return repos


def _where(repo: RepositoryInfo) -> str:
    return f"{repo.location}:{repo.name}"


def resolve_job(
    features: ServerFeatures, job_name: str, location: str | None = None, repository: str | None = None
) -> Op[LaunchTarget]:
    """Find the one repository holding ``job_name``; ambiguity is a UsageError naming the candidates."""
    locations = yield from list_locations(features)
    repos = _narrow(locations, location, repository)
    matches = [r for r in repos if any(j.name == job_name for j in r.jobs)]
    if not matches:
        known = [j.name for r in repos for j in r.jobs if not j.name.startswith("__")]
        failed = [loc.name for loc in locations if loc.error]
        extra = f"(locations that failed to load: {', '.join(failed)})" if failed else ""
        raise NotFoundError("job", job_name, known=known, extra=extra)
    if len(matches) > 1:
        where = ", ".join(_where(r) for r in matches)
        raise UsageError(f"job {job_name!r} exists in several places ({where}); pass --location and/or --repo")
    return LaunchTarget(job_name=job_name, repository=matches[0].name, location=matches[0].location)


def resolve_assets(
    features: ServerFeatures,
    selection: list[list[str]] | None = None,
    pattern: str | None = None,
    location: str | None = None,
    repository: str | None = None,
) -> Op[LaunchTarget]:
    """Turn asset keys or a glob into a launchable target: one repository and a job containing every asset."""
    locations = yield from list_locations(features)
    repos = _narrow(locations, location, repository)
    narrowed = [LocationInfo(name=loc.name, load_status=loc.load_status, repositories=[]) for loc in locations]
    for loc in narrowed:
        loc.repositories = [r for r in repos if r.location == loc.name]
    assets = yield from list_assets(features, narrowed)
    by_path: dict[str, list[AssetInfo]] = {}
    for asset in assets:
        by_path.setdefault(asset.path, []).append(asset)
    if pattern is not None:
        chosen = [a for a in assets if fnmatch.fnmatchcase(a.path, pattern)]
        if not chosen:
            raise NotFoundError("asset pattern", pattern, known=sorted(by_path))
    else:
        chosen = []
        for key in selection or []:
            path = "/".join(key)
            if path not in by_path:
                raise NotFoundError("asset", path, known=sorted(by_path))
            chosen += by_path[path]
    places = sorted({(a.location, a.repository) for a in chosen})
    if len(places) > 1:
        where = ", ".join(f"{loc}:{repo}" for loc, repo in places)
        raise UsageError(f"the selected assets live in several places ({where}); pass --location and/or --repo")
    common = set(chosen[0].job_names)
    for asset in chosen[1:]:
        common &= set(asset.job_names)
    if not common:
        raise UsageError("no single job contains every selected asset; launch them separately")
    job = sorted(common, key=lambda name: (not name.startswith("__ASSET_JOB"), name))[0]
    keys = sorted({tuple(a.key) for a in chosen})
    return LaunchTarget(
        job_name=job, repository=places[0][1], location=places[0][0], asset_selection=[list(k) for k in keys]
    )


# ---- launch, validate --------------------------------------------------------------------------------------------


def _selector(target: LaunchTarget, key: str) -> dict[str, Any]:
    """Job selector; ``key`` is jobName (job era) or pipelineName (legacy and isPipelineConfigValid)."""
    selector: dict[str, Any] = {
        key: target.job_name,
        "repositoryName": target.repository,
        "repositoryLocationName": target.location,
    }
    if target.asset_selection:
        selector["assetSelection"] = [{"path": k} for k in target.asset_selection]
    return selector


def _config_errors(raw: list[dict]) -> list[ConfigErrorDetail]:
    """Every config error with a dotted path built from the evaluation stack (plus the offending field name)."""
    details = []
    for error in raw:
        parts: list[str] = []
        for entry in (error.get("stack") or {}).get("entries", []):
            for key in ("fieldName", "listIndex", "mapKey"):
                if entry.get(key) is not None:
                    parts.append(str(entry[key]))
                    break
        leaf = (error.get("field") or {}).get("name") or error.get("fieldName")
        if leaf:
            parts.append(str(leaf))
        path = ".".join(parts) or ".".join(error.get("path") or [])
        details.append(ConfigErrorDetail(path=path, reason=str(error.get("reason", "")), message=error["message"]))
    return details


def launch(
    features: ServerFeatures,
    target: LaunchTarget,
    run_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
) -> Op[str]:
    """Launch once and return the run id; config problems raise RunConfigValidationError with every error."""

    def params(legacy: bool) -> dict[str, Any]:
        execution: dict[str, Any] = {
            "selector": _selector(target, "pipelineName" if legacy else "jobName"),
            "runConfigData": dict(run_config or {}),
            "executionMetadata": {"tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]},
        }
        if legacy:
            execution["mode"] = "default"
        return {"executionParams": execution}

    data, legacy = yield from versioned(
        features, Call(q.LAUNCH, params(False), unsafe=True), Call(q.LAUNCH_LEGACY, params(True), unsafe=True)
    )
    result = data["launchPipelineExecution" if legacy else "launchRun"]
    if isinstance(result, dict) and "errors" in result:
        raise RunConfigValidationError(target.job_name, _config_errors(result["errors"]))
    if isinstance(result, dict) and result.get("__typename") == "PipelineNotFoundError":
        raise NotFoundError("job", target.job_name)
    if not isinstance(result, dict) or not isinstance(result.get("run"), dict):
        raise _union_error(result, f"launch of {target.job_name}")
    return str(result["run"]["runId"])


def validate(
    features: ServerFeatures, target: LaunchTarget, run_config: Mapping[str, Any] | None = None
) -> Op[ValidationResult]:
    """Ask the server whether the run config is valid for the target; lists every error, never raises for them."""
    variables = {
        "pipeline": _selector(target, "pipelineName"),
        "runConfigData": dict(run_config or {}),
        "mode": "default",
    }
    data = yield Call(q.VALIDATE, variables)
    result = data["isPipelineConfigValid"]
    kind = (result or {}).get("__typename")
    if kind == "PipelineConfigValidationValid":
        return ValidationResult(job_name=target.job_name, valid=True)
    if isinstance(result, dict) and "errors" in result:
        return ValidationResult(job_name=target.job_name, valid=False, errors=_config_errors(result["errors"]))
    if kind == "PipelineNotFoundError":
        raise NotFoundError("job", target.job_name)
    raise _union_error(result, f"validation of {target.job_name}")


# ---- runs ----------------------------------------------------------------------------------------------------------


def get_run(features: ServerFeatures, run_id: str) -> Op[RunInfo]:
    data, legacy = yield from versioned(features, Call(q.RUN, {"runId": run_id}), Call(q.RUN_LEGACY, {"runId": run_id}))
    raw = data["pipelineRunOrError" if legacy else "runOrError"]
    if isinstance(raw, dict) and raw.get("__typename") in ("RunNotFoundError", "PipelineRunNotFoundError"):
        raise NotFoundError("run", run_id)
    if not isinstance(raw, dict) or "runId" not in raw:
        raise _union_error(raw, f"run {run_id}")
    stats = raw.get("stats") or {}
    return RunInfo(
        run_id=raw["runId"],
        status=raw["status"],
        job_name=raw.get("pipelineName" if legacy else "jobName"),
        location=(raw.get("repositoryOrigin") or {}).get("repositoryLocationName"),
        start_time=stats.get("startTime"),
        end_time=stats.get("endTime"),
        steps_succeeded=int(stats.get("stepsSucceeded") or 0),
        steps_failed=int(stats.get("stepsFailed") or 0),
        steps=[
            StepInfo(key=s["stepKey"], status=s.get("status"), start_time=s.get("startTime"), end_time=s.get("endTime"))
            for s in raw.get("stepStats", [])
        ],
        tags={t["key"]: t["value"] for t in raw.get("tags", [])},
    )


def wait_for_run(
    features: ServerFeatures,
    run_id: str,
    timeout: float | None = None,
    poll_interval: float = 1.0,
    on_update: Callable[[RunInfo], None] | None = None,
) -> Op[RunInfo]:
    """Poll until the run finishes; RunTimeoutError after ``timeout`` seconds (the run keeps going)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        run = yield from get_run(features, run_id)
        if on_update is not None:
            on_update(run)
        if run.is_finished:
            return run
        if deadline is not None and time.monotonic() >= deadline:
            raise RunTimeoutError(
                f"run {run_id} still {run.status} after {timeout:g}s", run_id=run_id, status=run.status
            )
        pause = poll_interval if deadline is None else max(0.05, min(poll_interval, deadline - time.monotonic()))
        yield Sleep(pause)


def _error_text(error: dict | None) -> str | None:
    """An error message followed by its causes (the user's exception is usually the cause of a step error)."""
    parts: list[str] = []
    while error:
        message = (error.get("message") or "").strip()
        if message:
            parts.append(message)
        error = error.get("cause")
    return "\ncaused by: ".join(parts) or None


def _event(raw: dict) -> LogEvent:
    timestamp = raw.get("timestamp")
    return LogEvent(
        type=raw.get("__typename", "Event"),
        message=raw.get("message") or "",
        timestamp=float(timestamp) / 1000 if timestamp else None,
        level=raw.get("level"),
        step_key=raw.get("stepKey"),
        event_type=raw.get("eventType"),
        error=_error_text(raw.get("error")),
    )


def get_logs(features: ServerFeatures, run_id: str, cursor: str | None = None, limit: int = 1000) -> Op[LogPage]:
    """One page of events after ``cursor``; pass the returned cursor back to continue (cursor-based paging)."""
    new = Call(q.LOGS, {"runId": run_id, "cursor": cursor, "limit": limit})
    data, legacy = yield from versioned(features, new, Call(q.LOGS_LEGACY, {"runId": run_id, "cursor": cursor}))
    raw = data["pipelineRunOrError" if legacy else "logsForRun"]
    if isinstance(raw, dict) and raw.get("__typename") in ("RunNotFoundError", "PipelineRunNotFoundError"):
        raise NotFoundError("run", run_id)
    connection = raw.get("eventConnection") if legacy and isinstance(raw, dict) else raw
    if not isinstance(connection, dict) or "events" not in connection:
        raise _union_error(raw, f"logs of run {run_id}")
    return LogPage(
        events=[_event(e) for e in connection["events"]],
        cursor=connection.get("cursor"),
        has_more=bool(connection.get("hasMore")),
    )


def all_logs(features: ServerFeatures, run_id: str) -> Op[list[LogEvent]]:
    """Every event of a run, following cursors until the server has no more."""
    events: list[LogEvent] = []
    cursor: str | None = None
    while True:
        page = yield from get_logs(features, run_id, cursor)
        events += page.events
        cursor = page.cursor or cursor
        if not page.has_more:
            return events


def terminate(features: ServerFeatures, run_id: str) -> Op[RunInfo]:
    """Ask the server to terminate a run; a run that cannot be terminated raises DagsterGraphQLError."""
    data, legacy = yield from versioned(
        features, Call(q.TERMINATE, {"runId": run_id}), Call(q.TERMINATE_LEGACY, {"runId": run_id})
    )
    result = data["terminatePipelineExecution" if legacy else "terminateRun"]
    kind = (result or {}).get("__typename", "")
    if kind in ("RunNotFoundError", "PipelineRunNotFoundError"):
        raise NotFoundError("run", run_id)
    if kind.endswith("Failure"):
        raise DagsterGraphQLError(f"cannot terminate run {run_id}: {result.get('message')}")
    if not isinstance(result, dict) or "run" not in result:
        raise _union_error(result, f"terminate run {run_id}")
    run = yield from get_run(features, run_id)
    return run


def reload_location(features: ServerFeatures, name: str) -> Op[LocationInfo]:
    """Reload one code location; an unknown name raises NotFoundError listing the closest locations."""
    data = yield Call(q.RELOAD, {"name": name})
    result = data["reloadRepositoryLocation"]
    kind = (result or {}).get("__typename")
    if kind == "RepositoryLocationNotFound":
        locations = yield from list_locations(features)
        raise NotFoundError("location", name, known=[loc.name for loc in locations])
    return _location_entry(_union(result, "WorkspaceLocationEntry", f"reload of {name}"))


def _load_error(loaded: dict) -> str | None:
    """A location's load error with its causes (the cause usually names the real ImportError)."""
    if loaded.get("__typename") != "PythonError":
        return None
    parts = [
        (loaded.get("message") or "").strip(),
        *((c.get("message") or "").strip() for c in loaded.get("causes") or []),
    ]
    return "\ncaused by: ".join(part for part in parts if part) or "unknown load error"


def _location_entry(entry: dict) -> LocationInfo:
    error = _load_error(entry.get("locationOrLoadError") or {})
    return LocationInfo(name=entry["name"], load_status=str(entry.get("loadStatus")), error=error)


def reload_workspace(features: ServerFeatures) -> Op[list[LocationInfo]]:
    """Re-read the workspace (locations added or removed) and reload every location; returns their statuses."""
    data = yield Call(q.RELOAD_WORKSPACE)
    workspace = _union(data.get("reloadWorkspace"), "Workspace", "workspace reload")
    return [_location_entry(entry) for entry in workspace.get("locationEntries", [])]


def list_runs(
    features: ServerFeatures, statuses: Iterable[str] | None = None, location: str | None = None, limit: int = 100
) -> Op[list[RunInfo]]:
    """The newest runs first, optionally only those in ``statuses`` and launched from ``location``."""
    run_filter = {"statuses": sorted(statuses)} if statuses else None
    data = yield Call(q.RUNS, {"filter": run_filter, "limit": limit})
    page = _union(data.get("runsOrError"), "Runs", "run listing")
    runs = [
        RunInfo(
            run_id=raw["runId"],
            status=raw["status"],
            job_name=raw.get("jobName"),
            location=(raw.get("repositoryOrigin") or {}).get("repositoryLocationName"),
            tags={t["key"]: t["value"] for t in raw.get("tags", [])},
        )
        for raw in page.get("results", [])
    ]
    return [run for run in runs if location is None or run.location == location]
