"""Notebook session: one default client configured once and kept across cells, plus async twins (``*_async``).

from daglab import session as dl
dl.configure(url="http://127.0.0.1:3000")      # credentials come from DAGLAB_TOKEN etc.
result = dl.run_job("my_job")                   # launches, waits, prints progress
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from daglab.auth import AuthConfig
from daglab.client import AsyncDagsterClient, DagsterClient
from daglab.config import load_run_config
from daglab.filters import EntityFilter, parse_asset_selection
from daglab.models import AssetInfo, JobInfo, LaunchTarget, LogEvent, RunInfo, RunResult, ValidationResult

T = TypeVar("T")
E = TypeVar("E", JobInfo, AssetInfo)
DEFAULT_URL = "http://127.0.0.1:3000"


@dataclass
class _State:
    settings: dict[str, Any]
    client: DagsterClient | None = None
    async_client: AsyncDagsterClient | None = None
    async_loop: asyncio.AbstractEventLoop | None = None


_state = _State(settings={})


def configure(
    url: str | None = None,
    host: str | None = None,
    port: int | None = None,
    auth: AuthConfig | None = None,
    timeout: float = 30,
    max_retries: int = 3,
    use_https: bool = False,
) -> DagsterClient:
    """Set the default server for every helper (kept across notebook cells); returns the sync client."""
    if _state.client is not None:
        _state.client.close()
    if url is None and host is None:
        url = os.environ.get("DAGLAB_URL", DEFAULT_URL)
    settings: dict[str, Any] = {"host": host, "port": port, "auth": auth if auth is not None else AuthConfig.from_env()}
    settings.update(timeout=timeout, max_retries=max_retries, use_https=use_https, url=url)
    _state.settings = settings
    _state.client = DagsterClient(**settings)
    _state.async_client = None
    _state.async_loop = None
    return _state.client


def get_client() -> DagsterClient:
    """The default client, configured from DAGLAB_URL (or 127.0.0.1:3000) on first use."""
    return _state.client if _state.client is not None else configure()


def get_async_client() -> AsyncDagsterClient:
    """The default async client for the running event loop (recreated if the loop changed)."""
    if _state.client is None:
        configure()
    loop = asyncio.get_running_loop()
    if _state.async_client is None or _state.async_loop is not loop:
        _state.async_client = AsyncDagsterClient(**_state.settings)
        _state.async_loop = loop
    return _state.async_client


def _printer(run_id: str, enabled: bool) -> Callable[[RunInfo], None]:
    last = [""]
    started = time.monotonic()

    def show(run: RunInfo) -> None:
        state = f"{run.status}: {run.steps_succeeded} succeeded, {run.steps_failed} failed, {run.steps_running} running"
        if enabled and state != last[0]:
            print(f"run {run_id[:8]} {state} (elapsed {time.monotonic() - started:.0f}s)", flush=True)
        last[0] = state

    return show


def _result(
    client: DagsterClient | AsyncDagsterClient, run_id: str, target: LaunchTarget, run: RunInfo | None
) -> RunResult:
    status = run.status if run is not None else "LAUNCHED"
    return RunResult(run_id=run_id, target=target, status=status, run=run, url=client.run_url(run_id))


def _selection(assets: str | list[str]) -> list[list[str]]:
    return parse_asset_selection(assets if isinstance(assets, str) else ",".join(assets))


def _filter(pattern: str | None, tags: Mapping[str, str] | None, groups: list[str] | None = None) -> EntityFilter:
    return EntityFilter(pattern=pattern, tags=dict(tags or {}), groups=groups or ())


def _at(location: str | None, entities: list[E]) -> list[E]:
    """The entities of one code location (all when ``location`` is None)."""
    return [e for e in entities if location in (None, e.location)]


# ---- sync helpers ----------------------------------------------------------------------------------------------


def discover_jobs(
    pattern: str | None = None, tags: Mapping[str, str] | None = None, location: str | None = None
) -> list[JobInfo]:
    """Jobs on the server (implicit asset jobs hidden), optionally filtered by glob, tags and location."""
    return _at(location, get_client().jobs(_filter(pattern, tags)))


def discover_assets(
    pattern: str | None = None,
    tags: Mapping[str, str] | None = None,
    groups: list[str] | None = None,
    location: str | None = None,
) -> list[AssetInfo]:
    """Assets on the server, optionally filtered by key-path glob (``orders/*``), tags, groups and location."""
    return _at(location, get_client().assets(_filter(pattern, tags, groups)))


def load_config_from_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a YAML or JSON run config file."""
    return load_run_config(Path(path))


def validate_config(
    job_name: str | None = None,
    run_config: Mapping[str, Any] | None = None,
    *,
    assets: str | list[str] | None = None,
    location: str | None = None,
    repository: str | None = None,
) -> ValidationResult:
    """Ask the server whether ``run_config`` is valid for a job (or an asset selection); lists every error."""
    client = get_client()
    if assets is not None:
        target = client.resolve_assets(selection=_selection(assets), location=location, repository=repository)
    else:
        target = client.resolve_job(job_name or "", location, repository)
    return client.validate(target, run_config)


def wait_for_run(run_id: str, timeout: float | None = None, progress: bool = True) -> RunInfo:
    """Wait for a run, printing a line whenever its step counts change."""
    return get_client().wait(run_id, timeout=timeout, on_update=_printer(run_id, progress))


def run_job(
    job_name: str,
    run_config: Mapping[str, Any] | None = None,
    *,
    location: str | None = None,
    repository: str | None = None,
    tags: Mapping[str, str] | None = None,
    wait: bool = True,
    timeout: float | None = None,
    progress: bool = True,
) -> RunResult:
    """Launch a job (repository/location auto-detected) and, by default, wait for it."""
    client = get_client()
    target = client.resolve_job(job_name, location, repository)
    run_id = client.launch(target, run_config, tags)
    run = wait_for_run(run_id, timeout, progress) if wait else None
    return _result(client, run_id, target, run)


def run_assets(
    assets: str | list[str],
    run_config: Mapping[str, Any] | None = None,
    *,
    location: str | None = None,
    repository: str | None = None,
    tags: Mapping[str, str] | None = None,
    wait: bool = True,
    timeout: float | None = None,
    progress: bool = True,
) -> RunResult:
    """Materialize assets given as ``"a/b,c/d"`` or ``["a/b", "c/d"]`` and, by default, wait."""
    client = get_client()
    target = client.resolve_assets(selection=_selection(assets), location=location, repository=repository)
    run_id = client.launch(target, run_config, tags)
    run = wait_for_run(run_id, timeout, progress) if wait else None
    return _result(client, run_id, target, run)


def get_run_logs(run_id: str, errors_only: bool = False) -> list[LogEvent]:
    """Every event of a run (all cursor pages); ``errors_only`` keeps events that carry an error."""
    events = get_client().all_logs(run_id)
    return [e for e in events if e.error] if errors_only else events


# ---- async helpers ---------------------------------------------------------------------------------------------


async def discover_jobs_async(
    pattern: str | None = None, tags: Mapping[str, str] | None = None, location: str | None = None
) -> list[JobInfo]:
    return _at(location, await get_async_client().jobs(_filter(pattern, tags)))


async def discover_assets_async(
    pattern: str | None = None,
    tags: Mapping[str, str] | None = None,
    groups: list[str] | None = None,
    location: str | None = None,
) -> list[AssetInfo]:
    return _at(location, await get_async_client().assets(_filter(pattern, tags, groups)))


async def validate_config_async(
    job_name: str | None = None,
    run_config: Mapping[str, Any] | None = None,
    *,
    assets: str | list[str] | None = None,
    location: str | None = None,
    repository: str | None = None,
) -> ValidationResult:
    client = get_async_client()
    if assets is not None:
        target = await client.resolve_assets(selection=_selection(assets), location=location, repository=repository)
    else:
        target = await client.resolve_job(job_name or "", location, repository)
    return await client.validate(target, run_config)


async def wait_for_run_async(run_id: str, timeout: float | None = None, progress: bool = True) -> RunInfo:
    return await get_async_client().wait(run_id, timeout=timeout, on_update=_printer(run_id, progress))


async def run_job_async(
    job_name: str,
    run_config: Mapping[str, Any] | None = None,
    *,
    location: str | None = None,
    repository: str | None = None,
    tags: Mapping[str, str] | None = None,
    wait: bool = True,
    timeout: float | None = None,
    progress: bool = True,
) -> RunResult:
    client = get_async_client()
    target = await client.resolve_job(job_name, location, repository)
    run_id = await client.launch(target, run_config, tags)
    run = await wait_for_run_async(run_id, timeout, progress) if wait else None
    return _result(client, run_id, target, run)


async def run_assets_async(
    assets: str | list[str],
    run_config: Mapping[str, Any] | None = None,
    *,
    location: str | None = None,
    repository: str | None = None,
    tags: Mapping[str, str] | None = None,
    wait: bool = True,
    timeout: float | None = None,
    progress: bool = True,
) -> RunResult:
    client = get_async_client()
    target = await client.resolve_assets(selection=_selection(assets), location=location, repository=repository)
    run_id = await client.launch(target, run_config, tags)
    run = await wait_for_run_async(run_id, timeout, progress) if wait else None
    return _result(client, run_id, target, run)


async def get_run_logs_async(run_id: str, errors_only: bool = False) -> list[LogEvent]:
    events = await get_async_client().all_logs(run_id)
    return [e for e in events if e.error] if errors_only else events


# ---- performance -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemoryInfo:
    """Resident memory of this (kernel) process in MiB, now and at its peak."""

    rss_mb: float
    peak_rss_mb: float


@dataclass(frozen=True)
class PerformanceMetrics:
    """Wall time and memory change of one tracked operation."""

    operation: str
    seconds: float
    rss_before_mb: float
    rss_after_mb: float
    peak_rss_mb: float

    @property
    def rss_delta_mb(self) -> float:
        return self.rss_after_mb - self.rss_before_mb


def get_memory_usage() -> MemoryInfo:
    """Current and peak RSS from /proc (Linux) or getrusage elsewhere; no extra dependency needed."""
    status = Path("/proc/self/status")
    if status.exists():
        fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        rss = int(fields.get("VmRSS", "0 kB").split()[0]) / 1024
        peak = int(fields.get("VmHWM", "0 kB").split()[0]) / 1024
        return MemoryInfo(rss_mb=rss, peak_rss_mb=max(peak, rss))
    import resource  # not on Windows; only needed off Linux

    peak_raw = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak = peak_raw / (1024 * 1024) if sys.platform == "darwin" else peak_raw / 1024
    return MemoryInfo(rss_mb=peak, peak_rss_mb=peak)


def track_performance(
    operation: str, func: Callable[..., T], *args: Any, **kwargs: Any
) -> tuple[T, PerformanceMetrics]:
    """Call ``func(*args, **kwargs)`` and return its result with wall time and memory figures."""
    before = get_memory_usage()
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return result, _metrics(operation, started, before)


async def track_performance_async(
    operation: str, func: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any
) -> tuple[T, PerformanceMetrics]:
    """Async twin of track_performance for coroutine functions."""
    before = get_memory_usage()
    started = time.perf_counter()
    result = await func(*args, **kwargs)
    return result, _metrics(operation, started, before)


def _metrics(operation: str, started: float, before: MemoryInfo) -> PerformanceMetrics:
    after = get_memory_usage()
    return PerformanceMetrics(
        operation=operation,
        seconds=time.perf_counter() - started,
        rss_before_mb=before.rss_mb,
        rss_after_mb=after.rss_mb,
        peak_rss_mb=after.peak_rss_mb,
    )
