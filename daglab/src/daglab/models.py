"""Plain data returned by the client: pydantic models so they print, compare and dump to JSON easily."""

from __future__ import annotations

import time

from pydantic import BaseModel, Field

from daglab.errors import ConfigErrorDetail

# Dagster's run statuses (`dagster.DagsterRunStatus`), spelled once for every user of the client.
RUN_STATUSES = (
    "QUEUED", "NOT_STARTED", "MANAGED", "STARTING", "STARTED", "SUSPENDED", "SUCCESS", "FAILURE", "CANCELING", "CANCELED",
)  # fmt: skip
FINISHED_STATUSES = frozenset({"SUCCESS", "FAILURE", "CANCELED"})
UNSUCCESSFUL_STATUSES = frozenset({"FAILURE", "CANCELED"})
ACTIVE_STATUSES = tuple(status for status in RUN_STATUSES if status not in FINISHED_STATUSES)


class JobInfo(BaseModel):
    """A job in one repository of one code location."""

    name: str
    repository: str
    location: str
    description: str | None = None
    is_asset_job: bool = False
    tags: dict[str, str] = {}


class RepositoryInfo(BaseModel):
    """A repository (a Definitions object) inside a code location."""

    name: str
    location: str
    jobs: list[JobInfo] = []


class LocationInfo(BaseModel):
    """A code location with its load status; ``error`` holds the load error when it failed to load."""

    name: str
    load_status: str
    error: str | None = None
    repositories: list[RepositoryInfo] = []


class AssetInfo(BaseModel):
    """An asset definition: key path, group, deps, kinds, tags and the jobs that can materialize it."""

    key: list[str]
    group: str | None = None
    description: str | None = None
    deps: list[str] = []
    kinds: list[str] = []
    tags: dict[str, str] = {}
    job_names: list[str] = []
    repository: str
    location: str

    @property
    def path(self) -> str:
        """The key as ``a/b/c``, the form used on the command line."""
        return "/".join(self.key)


class AssetState(BaseModel):
    """An asset's live state: ``state`` is materialized, stale, failed, running or missing (never materialized)."""

    key: list[str]
    state: str
    stale_status: str | None = None
    materialized_at: float | None = None
    materialized_by_run: str | None = None
    last_run_id: str | None = None
    last_run_status: str | None = None
    last_run_at: float | None = None

    @property
    def path(self) -> str:
        return "/".join(self.key)


class StepInfo(BaseModel):
    """One step of a run."""

    key: str
    status: str | None = None
    start_time: float | None = None
    end_time: float | None = None


class RunInfo(BaseModel):
    """A run's status and step counts, as shown by ``daglab status`` and the progress line."""

    run_id: str
    status: str
    job_name: str | None = None
    location: str | None = None
    start_time: float | None = None
    end_time: float | None = None
    steps_succeeded: int = 0
    steps_failed: int = 0
    steps: list[StepInfo] = []
    tags: dict[str, str] = {}

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def steps_running(self) -> int:
        return sum(1 for s in self.steps if s.status == "IN_PROGRESS")

    @property
    def elapsed(self) -> float | None:
        """Seconds since the run started (or its total duration once finished)."""
        if self.start_time is None:
            return None
        return (self.end_time or time.time()) - self.start_time


class LogEvent(BaseModel):
    """One event of a run's event log."""

    type: str
    message: str = ""
    timestamp: float | None = None
    level: str | None = None
    step_key: str | None = None
    event_type: str | None = None
    error: str | None = None


class LogPage(BaseModel):
    """A page of events plus the cursor to continue after it."""

    events: list[LogEvent]
    cursor: str | None
    has_more: bool


class ValidationResult(BaseModel):
    """The server's verdict on a run config; ``errors`` lists every problem with its path and reason."""

    job_name: str
    valid: bool
    errors: list[ConfigErrorDetail] = Field(default_factory=list)


class LaunchTarget(BaseModel):
    """What to launch: a job (optionally restricted to an asset selection) in a given repository."""

    job_name: str
    repository: str
    location: str
    asset_selection: list[list[str]] | None = None


class RunResult(BaseModel):
    """What a launch returns: the run id and, once waited on, its final state."""

    run_id: str
    target: LaunchTarget
    status: str
    run: RunInfo | None = None
    url: str | None = None

    @property
    def success(self) -> bool:
        return self.status == "SUCCESS"
