"""The ``daglab`` command line: discover, run, status, logs, terminate, reload and notebook.

Exit codes: 0 success; 1 run failed or was canceled (or the server reported an error); 2 usage or run-config
error, or an unknown job/asset/location (closest names printed); 3 connection error; 4 timeout.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar, get_type_hints

import typer
from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler
from rich.table import Table
from rich.text import Text

from daglab.client import DagsterClient, build_base_url
from daglab.config import load_run_config, parse_run_config, resolve_auth
from daglab.errors import (
    DaglabError,
    DagsterConnectionError,
    DagsterGraphQLError,
    NotFoundError,
    RunConfigValidationError,
    RunTimeoutError,
    UsageError,
)
from daglab.filters import EntityFilter, parse_asset_selection, parse_list, parse_pairs
from daglab.models import LaunchTarget, LogEvent, RunInfo
from daglab.operations import all_jobs

EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE, EXIT_CONNECTION, EXIT_TIMEOUT = 0, 1, 2, 3, 4

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 run failed or canceled, or server error; 2 usage or run-config error, "
    "unknown job/asset/location (closest names are printed); 3 connection error; 4 timeout."
)

app = typer.Typer(
    name="daglab",
    help="Discover, launch and watch Dagster jobs and assets over GraphQL. " + EXIT_CODES_HELP,
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else 200
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=True)


out = _console()
err = _console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int) -> typer.Exit:
    err.print(Text(f"error: {message}"))
    return typer.Exit(code)


def exits(func: F) -> F:
    """Map daglab errors to one-line messages and the documented exit codes (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RunConfigValidationError as exc:
            err.print(Text(f"error: run config for {exc.job_name!r} is invalid ({len(exc.errors)} error(s)):"))
            for detail in exc.errors:
                err.print(Text(f"  - {detail}"))
            raise typer.Exit(EXIT_USAGE) from None
        except (UsageError, NotFoundError) as exc:
            raise _fail(str(exc), EXIT_USAGE) from None
        except DagsterConnectionError as exc:
            raise _fail(str(exc), EXIT_CONNECTION) from None
        except RunTimeoutError as exc:
            raise _fail(str(exc), EXIT_TIMEOUT) from None
        except (DagsterGraphQLError, DaglabError) as exc:
            raise _fail(str(exc), EXIT_RUN_FAILED) from None
        except KeyboardInterrupt:
            raise _fail("interrupted", 130) from None

    return wrapper  # type: ignore[return-value]


# ---- shared options --------------------------------------------------------------------------------------------

UrlOpt = Annotated[
    str | None,
    typer.Option("--url", envvar="DAGLAB_URL", help="Webserver URL, path prefix allowed (http://host:3000/dagster)."),
]
HostOpt = Annotated[str, typer.Option("--dagster-host", envvar="DAGLAB_HOST", help="Webserver host (without --url).")]
PortOpt = Annotated[int, typer.Option("--dagster-port", envvar="DAGLAB_PORT", help="Webserver port (without --url).")]
HttpsOpt = Annotated[bool, typer.Option("--https", help="Use https with --dagster-host/--dagster-port.")]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--auth-token",
        help="Token sent as 'Authorization: Bearer'; prefer DAGLAB_TOKEN / DAGSTER_CLOUD_API_TOKEN env vars.",
        show_default=False,
    ),
]
HeaderOpt = Annotated[
    str | None, typer.Option("--auth-header", help="Send --auth-token in this header instead of Authorization.")
]
RequestTimeoutOpt = Annotated[float, typer.Option("--request-timeout", help="Seconds per HTTP request.")]
RetriesOpt = Annotated[int, typer.Option("--max-retries", help="Retries on connection errors, 5xx and 429.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log requests to stderr (secrets never shown).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]


@dataclass(frozen=True)
class Connection:
    """How to reach the webserver; its fields are the commands' connection options.

    Each field's type carries its ``typer.Option`` (name, env var, help) and the field its default.
    ``@connection_options()`` makes them options of a command, so they are written once, here, rather than in
    every command's parameter list (``notebook`` takes only the address: url, host, port, https).
    """

    url: UrlOpt = None
    host: HostOpt = "127.0.0.1"
    port: PortOpt = 3000
    https: HttpsOpt = False
    auth_token: TokenOpt = None
    auth_header: HeaderOpt = None
    request_timeout: RequestTimeoutOpt = 30.0
    max_retries: RetriesOpt = 3
    verbose: VerboseOpt = False

    def base_url(self) -> str:
        return build_base_url(self.host, self.port, self.https, self.url)

    def client(self) -> DagsterClient:
        """A client for this server (with request logging on stderr under --verbose)."""
        if self.verbose:
            logger = logging.getLogger("daglab")
            if not logger.handlers:
                logger.addHandler(RichHandler(console=err, show_path=False, markup=False))
            logger.setLevel(logging.DEBUG)
        auth = resolve_auth(self.auth_token, self.auth_header)
        client = DagsterClient(
            self.host,
            self.port,
            auth=auth,
            timeout=self.request_timeout,
            max_retries=self.max_retries,
            use_https=self.https,
            url=self.url,
        )
        if self.verbose:
            err.print(Text(f"using {client!r}"))
        return client


def connection_options(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command the Connection options (all, or only ``names``) as one ``connection`` argument.

    Why: the options must stay after the subcommand (``daglab status ID --url ...``), so a group callback will
    not do; instead they are appended to the command's signature (typer reads ``__signature__``) and collected
    from the keyword arguments into a ``Connection`` for the command's keyword-only ``connection`` parameter.
    """
    hints = get_type_hints(Connection, include_extras=True)
    unknown = set(names) - set(hints)
    if unknown:
        raise TypeError(f"not Connection fields: {sorted(unknown)}")
    chosen = [f for f in fields(Connection) if not names or f.name in names]
    options = [
        inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default, annotation=hints[f.name])
        for f in chosen
    ]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(func, eval_str=True)
        if "connection" not in signature.parameters:
            raise TypeError(f"{func.__name__} needs a keyword-only 'connection: Connection' parameter")
        own = [p for p in signature.parameters.values() if p.name != "connection"]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            connection = Connection(**{f.name: kwargs.pop(f.name) for f in chosen})
            return func(*args, connection=connection, **kwargs)

        wrapper.__signature__ = signature.replace(parameters=[*own, *options])  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _emit_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
    sys.stdout.flush()


# ---- discover --------------------------------------------------------------------------------------------------


class Kind(str, Enum):  # noqa: UP042 (StrEnum needs 3.11; daglab supports 3.10)
    jobs = "jobs"
    assets = "assets"
    repos = "repos"
    locations = "locations"
    all = "all"


@app.command(epilog=EXIT_CODES_HELP)
@exits
@connection_options()
def discover(
    filter_: Annotated[Kind, typer.Option("--filter", help="What to list.")] = Kind.all,
    pattern: Annotated[str | None, typer.Option("--pattern", help="Glob on asset key path / job name.")] = None,
    tags: Annotated[str | None, typer.Option("--tags", help="Only entities with these tags: k=v,k2=v2.")] = None,
    groups: Annotated[str | None, typer.Option("--groups", help="Only assets in these groups: a,b.")] = None,
    as_json: JsonOpt = False,
    *,
    connection: Connection,
) -> None:
    """List repositories, code locations (with load errors), jobs and assets."""
    flt = EntityFilter(pattern=pattern, tags=parse_pairs(tags), groups=parse_list(groups))
    with connection.client() as client:
        if connection.verbose:
            err.print(Text(f"server version {client.version()}"))
        locations = client.locations()
        wanted = {filter_.value} if filter_ is not Kind.all else {"locations", "repos", "jobs", "assets"}
        result: dict[str, list[dict[str, Any]]] = {}
        if "locations" in wanted:
            result["locations"] = [
                {
                    "name": loc.name,
                    "load_status": loc.load_status,
                    "error": loc.error,
                    "repositories": [r.name for r in loc.repositories],
                }
                for loc in locations
            ]
        if "repos" in wanted:
            result["repositories"] = [
                {"name": r.name, "location": r.location, "jobs": [j.name for j in r.jobs]}
                for loc in locations
                for r in loc.repositories
            ]
        if "jobs" in wanted:
            result["jobs"] = [j.model_dump() for j in flt.jobs(all_jobs(locations))]
        if "assets" in wanted:
            result["assets"] = [{"path": a.path, **a.model_dump()} for a in client.assets(flt, locations=locations)]
    for loc in locations:
        if loc.error:
            err.print(Text(f"warning: location {loc.name!r} failed to load: {loc.error.splitlines()[0]}"))
    if as_json:
        _emit_json(result)
        return
    _print_discovery(result)


def _short_tags(tags: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" if v else k for k, v in tags.items() if not k.startswith("dagster/kind/"))


def _print_discovery(result: dict[str, list[dict[str, Any]]]) -> None:
    if "locations" in result:
        table = Table(title="Code locations")
        for col in ("location", "status", "repositories", "load error"):
            table.add_column(col)
        for loc in result["locations"]:
            error = (loc["error"] or "").splitlines()[0] if loc["error"] else ""
            table.add_row(loc["name"], loc["load_status"], ", ".join(loc["repositories"]), error)
        out.print(table)
    if "repositories" in result:
        table = Table(title="Repositories")
        for col in ("repository", "location", "jobs"):
            table.add_column(col)
        for repo in result["repositories"]:
            table.add_row(repo["name"], repo["location"], str(len([j for j in repo["jobs"] if not j.startswith("__")])))
        out.print(table)
    if "jobs" in result:
        table = Table(title=f"Jobs ({len(result['jobs'])})")
        for col in ("job", "location", "repository", "tags", "description"):
            table.add_column(col)
        for job in result["jobs"]:
            table.add_row(
                job["name"], job["location"], job["repository"], _short_tags(job["tags"]), job["description"] or ""
            )
        out.print(table)
    if "assets" in result:
        table = Table(title=f"Assets ({len(result['assets'])})")
        for col in ("asset", "group", "kinds", "deps", "tags", "jobs", "description"):
            table.add_column(col)
        for asset in result["assets"]:
            jobs = ", ".join(j for j in asset["job_names"] if not j.startswith("__"))
            table.add_row(
                asset["path"],
                asset["group"] or "",
                ", ".join(asset["kinds"]),
                ", ".join(asset["deps"]),
                _short_tags(asset["tags"]),
                jobs,
                (asset["description"] or "").splitlines()[0] if asset["description"] else "",
            )
        out.print(table)


# ---- run -------------------------------------------------------------------------------------------------------


class ProgressLine:
    """A live one-line status (steps succeeded/failed/running, elapsed) on stderr; plain lines when not a TTY."""

    def __init__(self, run_id: str, enabled: bool) -> None:
        self.run_id = run_id
        self.enabled = enabled
        self.started = time.monotonic()
        self._live: Live | None = None
        self._last = ""

    def __enter__(self) -> ProgressLine:
        if self.enabled and err.is_terminal:
            self._live = Live(Text(""), console=err, refresh_per_second=4, transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)

    def update(self, run: RunInfo) -> None:
        if not self.enabled:
            return
        state = (
            f"run {self.run_id[:8]} {run.status}: {run.steps_succeeded} succeeded, "
            f"{run.steps_failed} failed, {run.steps_running} running"
        )
        line = f"{state}, elapsed {time.monotonic() - self.started:.0f}s"
        if self._live is not None:
            self._live.update(Text(line))
        elif state != self._last:
            err.print(Text(line))
        self._last = state


def _target(
    client: DagsterClient,
    job: str | None,
    asset_selection: str | None,
    asset_pattern: str | None,
    location: str | None,
    repo: str | None,
) -> LaunchTarget:
    chosen = [
        name
        for name, value in (("--job", job), ("--asset-selection", asset_selection), ("--asset-pattern", asset_pattern))
        if value
    ]
    if len(chosen) != 1:
        given = f" (got {', '.join(chosen)})" if chosen else ""
        raise UsageError(f"pass exactly one of --job, --asset-selection or --asset-pattern{given}")
    if job:
        return client.resolve_job(job, location, repo)
    if asset_selection:
        return client.resolve_assets(
            selection=parse_asset_selection(asset_selection), location=location, repository=repo
        )
    return client.resolve_assets(pattern=asset_pattern, location=location, repository=repo)


def _run_config(run_config: Path | None, config_yaml: str | None) -> dict[str, Any]:
    if run_config and config_yaml:
        raise UsageError("pass either --run-config FILE or --config-yaml STR, not both")
    if run_config:
        return load_run_config(run_config)
    if config_yaml:
        return parse_run_config(config_yaml, "--config-yaml")
    return {}


def _failure_lines(events: list[LogEvent]) -> list[str]:
    lines = []
    for event in events:
        if event.error or event.event_type in ("STEP_FAILURE", "PIPELINE_FAILURE", "RUN_FAILURE"):
            step = f"[{event.step_key}] " if event.step_key else ""
            detail = event.error or event.message
            line = f"{step}{detail.strip()}"
            if line not in lines:
                lines.append(line)
    return lines


@app.command(epilog=EXIT_CODES_HELP)
@exits
@connection_options()
def run(
    job: Annotated[str | None, typer.Option("--job", help="Job to launch.")] = None,
    asset_selection: Annotated[
        str | None, typer.Option("--asset-selection", help="Assets to materialize: a/b,c/d.")
    ] = None,
    asset_pattern: Annotated[str | None, typer.Option("--asset-pattern", help="Glob on asset key paths.")] = None,
    repo: Annotated[str | None, typer.Option("--repo", help="Repository (auto-detected when unambiguous).")] = None,
    location: Annotated[
        str | None, typer.Option("--location", help="Code location (auto-detected when unambiguous).")
    ] = None,
    run_config: Annotated[Path | None, typer.Option("--run-config", help="Run config file (YAML or JSON).")] = None,
    config_yaml: Annotated[str | None, typer.Option("--config-yaml", help="Run config as a YAML string.")] = None,
    tags: Annotated[str | None, typer.Option("--tags", help="Run tags: k=v,k2=v2.")] = None,
    validate_only: Annotated[
        bool, typer.Option("--validate-only", help="Only validate the run config on the server.")
    ] = False,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the run to finish.")] = True,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="Give up waiting after N seconds (exit 4).")
    ] = None,
    cancel_on_timeout: Annotated[
        bool, typer.Option("--cancel-on-timeout", help="Terminate the run when --timeout expires.")
    ] = False,
    poll_interval: Annotated[float, typer.Option("--poll-interval", help="Seconds between status polls.")] = 1.0,
    as_json: JsonOpt = False,
    *,
    connection: Connection,
) -> None:
    """Launch a job or an asset selection and (by default) wait for it with a live progress line."""
    config = _run_config(run_config, config_yaml)
    run_tags = parse_pairs(tags)
    if timeout is not None and timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    with connection.client() as client:
        target = _target(client, job, asset_selection, asset_pattern, location, repo)
        if validate_only:
            _validate_only(client, target, config, as_json)
            return
        run_id = client.launch(target, config, run_tags)
        if not as_json:
            err.print(Text(f"launched run {run_id} ({target.location}:{target.job_name}) {client.run_url(run_id)}"))
        if not wait:
            if as_json:
                _emit_json({"run_id": run_id, "status": "LAUNCHED", "target": target.model_dump()})
            else:
                out.print(run_id)
            return
        _wait_and_report(client, run_id, target, timeout, cancel_on_timeout, poll_interval, as_json)


def _validate_only(client: DagsterClient, target: LaunchTarget, config: dict[str, Any], as_json: bool) -> None:
    result = client.validate(target, config)
    if as_json:
        _emit_json({"target": target.model_dump(), "valid": result.valid, "errors": [vars(e) for e in result.errors]})
    elif result.valid:
        out.print(Text(f"run config is valid for {target.location}:{target.job_name}"))
    if not result.valid:
        raise RunConfigValidationError(target.job_name, result.errors)


def _wait_and_report(
    client: DagsterClient,
    run_id: str,
    target: LaunchTarget,
    timeout: float | None,
    cancel_on_timeout: bool,
    poll_interval: float,
    as_json: bool,
) -> None:
    payload: dict[str, Any] = {"run_id": run_id, "target": target.model_dump(), "url": client.run_url(run_id)}
    try:
        with ProgressLine(run_id, enabled=not as_json) as progress:
            info = client.wait(run_id, timeout=timeout, poll_interval=poll_interval, on_update=progress.update)
    except RunTimeoutError as exc:
        payload.update(status=exc.status, timed_out=True)
        if cancel_on_timeout:
            client.terminate(run_id)
            final = client.wait(run_id, timeout=120, poll_interval=poll_interval)
            payload.update(status=final.status, canceled=True)
            err.print(Text(f"run {run_id} terminated after timeout; final status {final.status}"))
        if as_json:
            _emit_json(payload)
        raise
    payload.update(status=info.status, steps_succeeded=info.steps_succeeded, steps_failed=info.steps_failed)
    failures: list[str] = []
    if info.status != "SUCCESS":
        failures = _failure_lines(client.all_logs(run_id))
        payload["errors"] = failures
    if as_json:
        _emit_json(payload)
    else:
        out.print(
            Text(f"run {run_id} {info.status} ({info.steps_succeeded} steps succeeded, {info.steps_failed} failed)")
        )
        for line in failures:
            err.print(Text(f"  {line}"))
    if info.status != "SUCCESS":
        raise typer.Exit(EXIT_RUN_FAILED)


# ---- status, logs, terminate, reload ---------------------------------------------------------------------------


@app.command(epilog=EXIT_CODES_HELP)
@exits
@connection_options()
def status(
    run_id: Annotated[str, typer.Argument(help="Run id.")],
    as_json: JsonOpt = False,
    *,
    connection: Connection,
) -> None:
    """Show a run's status and steps."""
    with connection.client() as client:
        info = client.run(run_id)
    if as_json:
        _emit_json(info.model_dump())
        return
    out.print(
        Text(
            f"run {info.run_id} {info.status} job={info.job_name} "
            f"steps: {info.steps_succeeded} succeeded, {info.steps_failed} failed, {info.steps_running} running"
        )
    )
    table = Table()
    for col in ("step", "status", "duration"):
        table.add_column(col)
    for step in info.steps:
        duration = f"{step.end_time - step.start_time:.1f}s" if step.start_time and step.end_time else ""
        table.add_row(step.key, step.status or "", duration)
    out.print(table)


def _print_event(event: LogEvent, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(event.model_dump()) + "\n")
        sys.stdout.flush()
        return
    when = datetime.fromtimestamp(event.timestamp).strftime("%H:%M:%S") if event.timestamp else "--:--:--"
    step = f" [{event.step_key}]" if event.step_key else ""
    text = f"{when} {event.level or '':<7} {event.event_type or event.type}{step} {event.message}".rstrip()
    out.print(Text(text))
    if event.error:
        out.print(Text(f"    error: {event.error.strip()}"))


@app.command(epilog=EXIT_CODES_HELP)
@exits
@connection_options()
def logs(
    run_id: Annotated[str, typer.Argument(help="Run id.")],
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new events until the run ends.")
    ] = False,
    poll_interval: Annotated[float, typer.Option("--poll-interval", help="Seconds between polls.")] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per event (JSON lines).")] = False,
    *,
    connection: Connection,
) -> None:
    """Print a run's event log (cursor-based); --follow stops once the run has finished."""
    with connection.client() as client:
        cursor: str | None = None
        finished = False
        while True:
            page = client.logs(run_id, cursor)
            for event in page.events:
                _print_event(event, as_json)
            cursor = page.cursor or cursor
            if page.has_more:
                continue
            if not follow or finished:
                return
            # One more page after the run is seen finished, so the final events are never lost.
            finished = client.run(run_id).is_finished
            if not finished:
                time.sleep(poll_interval)


@app.command(epilog=EXIT_CODES_HELP)
@exits
@connection_options()
def terminate(
    run_id: Annotated[str, typer.Argument(help="Run id.")],
    as_json: JsonOpt = False,
    *,
    connection: Connection,
) -> None:
    """Terminate a run (the run ends CANCELED)."""
    with connection.client() as client:
        info = client.terminate(run_id)
    if as_json:
        _emit_json({"run_id": info.run_id, "status": info.status})
    else:
        out.print(Text(f"termination requested for run {info.run_id}; status {info.status}"))


@app.command(epilog=EXIT_CODES_HELP)
@exits
@connection_options()
def reload(
    location: Annotated[str, typer.Argument(help="Code location name.")],
    as_json: JsonOpt = False,
    *,
    connection: Connection,
) -> None:
    """Reload a code location; exit 1 when it then fails to load."""
    with connection.client() as client:
        info = client.reload_location(location)
    if as_json:
        _emit_json(info.model_dump())
    else:
        out.print(Text(f"reloaded location {info.name}: {info.load_status}"))
    if info.error:
        raise DagsterGraphQLError(f"location {info.name!r} failed to load: {info.error.splitlines()[0]}")


# ---- notebook --------------------------------------------------------------------------------------------------


@app.command(epilog=EXIT_CODES_HELP)
@exits
@connection_options("url", "host", "port", "https")
def notebook(
    output: Annotated[Path, typer.Option("--output", "-o", help="Notebook file to write (.ipynb).")],
    job: Annotated[str | None, typer.Option("--job", help="Job the notebook launches.")] = None,
    assets: Annotated[str | None, typer.Option("--assets", help="Assets the notebook materializes: a/b,c/d.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="Code location (if ambiguous).")] = None,
    run_config: Annotated[Path | None, typer.Option("--run-config", help="Run config file to embed.")] = None,
    timeout: Annotated[float | None, typer.Option("--timeout", help="Seconds the notebook waits for the run.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    *,
    connection: Connection,
) -> None:
    """Write a notebook that connects, shows the target, launches it, monitors it and shows its logs."""
    from daglab.notebook import NotebookSpec, write_notebook

    if bool(job) == bool(assets):
        raise UsageError("pass exactly one of --job or --assets")
    if output.exists() and not force:
        raise UsageError(f"{output} already exists; pass --force to overwrite it")
    spec = NotebookSpec(
        url=connection.base_url(),
        job=job,
        assets=parse_asset_selection(assets) if assets else None,
        location=location,
        run_config=load_run_config(run_config) if run_config else {},
        timeout=timeout,
    )
    write_notebook(spec, output)
    out.print(Text(f"wrote {output}"))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
