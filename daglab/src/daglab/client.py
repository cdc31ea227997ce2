"""DagsterClient (blocking) and AsyncDagsterClient: thin drivers around the shared operations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from daglab import operations as ops
from daglab.auth import AuthConfig
from daglab.errors import UsageError
from daglab.filters import EntityFilter
from daglab.models import (
    AssetInfo,
    AssetState,
    JobInfo,
    LaunchTarget,
    LocationInfo,
    LogEvent,
    LogPage,
    RepositoryInfo,
    RunInfo,
    ValidationResult,
)
from daglab.transport import AsyncTransport, RetryPolicy, SyncTransport, TransportCore


def build_base_url(
    host: str | None = None, port: int | None = None, use_https: bool = False, url: str | None = None
) -> str:
    """Normalize to ``scheme://host:port[/prefix]`` (no trailing slash, no ``/graphql``)."""
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"invalid Dagster URL {url!r}: expected http(s)://host[:port][/path-prefix]")
        path = parts.path.rstrip("/")
        if path.endswith("/graphql"):
            path = path[: -len("/graphql")]
        return f"{parts.scheme}://{parts.netloc}{path}"
    scheme = "https" if use_https else "http"
    return f"{scheme}://{host or '127.0.0.1'}:{port or (443 if use_https else 3000)}"


class _ClientBase:
    """Connection settings shared by both clients; the auth secrets stay inside AuthConfig."""

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        auth: AuthConfig | None = None,
        timeout: float = 30,
        max_retries: int = 3,
        use_https: bool = False,
        *,
        url: str | None = None,
    ) -> None:
        self.base_url = build_base_url(host, port, use_https, url)
        self.endpoint = f"{self.base_url}/graphql"
        self.auth = auth
        self.features = ops.ServerFeatures()
        self._core = TransportCore(self.endpoint, auth, timeout, RetryPolicy(max_retries=max_retries))

    def __repr__(self) -> str:
        auth = self.auth.describe() if self.auth else "none"
        return f"{type(self).__name__}(url={self.base_url!r}, auth={auth!r})"

    def run_url(self, run_id: str) -> str:
        """The run's page in the Dagster UI."""
        return f"{self.base_url}/runs/{run_id}"


class DagsterClient(_ClientBase):
    """Blocking client with a pooled connection; safe to keep for the life of a notebook or a CLI call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._transport = SyncTransport(self._core)

    def _run(self, op: ops.Op[Any]) -> Any:
        return ops.drive_sync(op, self._transport)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> DagsterClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> dict:
        """Run any GraphQL query (not a launch) and return its ``data``."""
        return self._run(_single(ops.Call(document, variables)))

    def version(self) -> str:
        return self._run(ops.server_version())

    def locations(self) -> list[LocationInfo]:
        return self._run(ops.list_locations(self.features))

    def repositories(self) -> list[RepositoryInfo]:
        return [r for loc in self.locations() for r in loc.repositories]

    def jobs(self, flt: EntityFilter | None = None, include_hidden: bool = False) -> list[JobInfo]:
        jobs = ops.all_jobs(self.locations())
        return (flt or EntityFilter()).jobs(jobs, include_hidden=include_hidden)

    def assets(
        self, flt: EntityFilter | None = None, page_size: int = 200, locations: list[LocationInfo] | None = None
    ) -> list[AssetInfo]:
        """Assets of every loaded repository (paged); pass ``locations`` to reuse an earlier listing."""
        locations = self.locations() if locations is None else locations
        assets = self._run(ops.list_assets(self.features, locations, page_size))
        return (flt or EntityFilter()).assets(assets)

    def asset_states(self, keys: list[list[str]]) -> list[AssetState]:
        """Live state of each asset key: materialized, stale, failed, running or missing, with its last run."""
        return self._run(ops.asset_states(self.features, keys))

    def resolve_job(self, job: str, location: str | None = None, repository: str | None = None) -> LaunchTarget:
        return self._run(ops.resolve_job(self.features, job, location, repository))

    def resolve_assets(
        self,
        selection: list[list[str]] | None = None,
        pattern: str | None = None,
        location: str | None = None,
        repository: str | None = None,
    ) -> LaunchTarget:
        return self._run(ops.resolve_assets(self.features, selection, pattern, location, repository))

    def launch(
        self, target: LaunchTarget, run_config: Mapping[str, Any] | None = None, tags: Mapping[str, str] | None = None
    ) -> str:
        return self._run(ops.launch(self.features, target, run_config, tags))

    def validate(self, target: LaunchTarget, run_config: Mapping[str, Any] | None = None) -> ValidationResult:
        return self._run(ops.validate(self.features, target, run_config))

    def run(self, run_id: str) -> RunInfo:
        return self._run(ops.get_run(self.features, run_id))

    def wait(
        self,
        run_id: str,
        timeout: float | None = None,
        poll_interval: float = 1.0,
        on_update: Callable[[RunInfo], None] | None = None,
    ) -> RunInfo:
        return self._run(ops.wait_for_run(self.features, run_id, timeout, poll_interval, on_update))

    def logs(self, run_id: str, cursor: str | None = None, limit: int = 1000) -> LogPage:
        return self._run(ops.get_logs(self.features, run_id, cursor, limit))

    def all_logs(self, run_id: str) -> list[LogEvent]:
        return self._run(ops.all_logs(self.features, run_id))

    def terminate(self, run_id: str) -> RunInfo:
        return self._run(ops.terminate(self.features, run_id))

    def reload_location(self, name: str) -> LocationInfo:
        return self._run(ops.reload_location(self.features, name))

    def reload_workspace(self) -> list[LocationInfo]:
        return self._run(ops.reload_workspace(self.features))

    def runs(
        self, statuses: Iterable[str] | None = None, location: str | None = None, limit: int = 100
    ) -> list[RunInfo]:
        return self._run(ops.list_runs(self.features, statuses, location, limit))


class AsyncDagsterClient(_ClientBase):
    """Asyncio twin of DagsterClient (same operations, same retries), for notebooks and async services."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._transport = AsyncTransport(self._core)

    async def _run(self, op: ops.Op[Any]) -> Any:
        return await ops.drive_async(op, self._transport)

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncDagsterClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def execute(self, document: str, variables: Mapping[str, Any] | None = None) -> dict:
        return await self._run(_single(ops.Call(document, variables)))

    async def version(self) -> str:
        return await self._run(ops.server_version())

    async def locations(self) -> list[LocationInfo]:
        return await self._run(ops.list_locations(self.features))

    async def repositories(self) -> list[RepositoryInfo]:
        return [r for loc in await self.locations() for r in loc.repositories]

    async def jobs(self, flt: EntityFilter | None = None, include_hidden: bool = False) -> list[JobInfo]:
        jobs = ops.all_jobs(await self.locations())
        return (flt or EntityFilter()).jobs(jobs, include_hidden=include_hidden)

    async def assets(
        self, flt: EntityFilter | None = None, page_size: int = 200, locations: list[LocationInfo] | None = None
    ) -> list[AssetInfo]:
        locations = await self.locations() if locations is None else locations
        assets = await self._run(ops.list_assets(self.features, locations, page_size))
        return (flt or EntityFilter()).assets(assets)

    async def asset_states(self, keys: list[list[str]]) -> list[AssetState]:
        return await self._run(ops.asset_states(self.features, keys))

    async def resolve_job(self, job: str, location: str | None = None, repository: str | None = None) -> LaunchTarget:
        return await self._run(ops.resolve_job(self.features, job, location, repository))

    async def resolve_assets(
        self,
        selection: list[list[str]] | None = None,
        pattern: str | None = None,
        location: str | None = None,
        repository: str | None = None,
    ) -> LaunchTarget:
        return await self._run(ops.resolve_assets(self.features, selection, pattern, location, repository))

    async def launch(
        self, target: LaunchTarget, run_config: Mapping[str, Any] | None = None, tags: Mapping[str, str] | None = None
    ) -> str:
        return await self._run(ops.launch(self.features, target, run_config, tags))

    async def validate(self, target: LaunchTarget, run_config: Mapping[str, Any] | None = None) -> ValidationResult:
        return await self._run(ops.validate(self.features, target, run_config))

    async def run(self, run_id: str) -> RunInfo:
        return await self._run(ops.get_run(self.features, run_id))

    async def wait(
        self,
        run_id: str,
        timeout: float | None = None,
        poll_interval: float = 1.0,
        on_update: Callable[[RunInfo], None] | None = None,
    ) -> RunInfo:
        return await self._run(ops.wait_for_run(self.features, run_id, timeout, poll_interval, on_update))

    async def logs(self, run_id: str, cursor: str | None = None, limit: int = 1000) -> LogPage:
        return await self._run(ops.get_logs(self.features, run_id, cursor, limit))

    async def all_logs(self, run_id: str) -> list[LogEvent]:
        return await self._run(ops.all_logs(self.features, run_id))

    async def terminate(self, run_id: str) -> RunInfo:
        return await self._run(ops.terminate(self.features, run_id))

    async def reload_location(self, name: str) -> LocationInfo:
        return await self._run(ops.reload_location(self.features, name))

    async def reload_workspace(self) -> list[LocationInfo]:
        return await self._run(ops.reload_workspace(self.features))

    async def runs(
        self, statuses: Iterable[str] | None = None, location: str | None = None, limit: int = 100
    ) -> list[RunInfo]:
        return await self._run(ops.list_runs(self.features, statuses, location, limit))


def _single(call: ops.Call) -> ops.Op[dict]:
    data = yield call
    return data
