"""`data-manager pipelines`: migrate the schema; list, show, launch and watch universal pipelines.

Exit codes are daglab's: 0 success; 1 the run failed or was canceled; 2 bad input (unknown id,
invalid pipeline, every error listed); 3 the Dagster webserver is unreachable; 4 --timeout expired.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated, Any

import typer

from daglab.cli import EXIT_CODES_HELP, EXIT_RUN_FAILED, EXIT_TIMEOUT, exits
from data_manager.errors import cli_errors
from data_manager.pipelines import runs
from data_manager.pipelines.models import PipelineRun
from data_manager.pipelines.schema import FINISHED_STATUSES
from data_manager.pipelines.store import PipelineStore

pipelines_app = typer.Typer(
    help="Universal pipelines: records in Postgres, runs in Dagster. " + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
UrlOption = Annotated[str | None, typer.Option("--url", help="Dagster webserver URL (default: DAGSTER_WEBSERVER_URL or the local one).")]  # fmt: skip
SYNC_WAIT_S = 30


def emit(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


def run_line(run: PipelineRun) -> str:
    counts = f"extracted={run.records_extracted} loaded={run.records_loaded} failed={run.records_failed}"
    return f"{run.dagster_run_id}  {run.status:<9}  {counts}" + (f"  error: {run.error}" if run.error else "")


@pipelines_app.command()
@cli_errors
def migrate() -> None:
    """Create or upgrade the universal_pipelines schema (alembic); safe to run at every start."""
    from data_manager.pipelines.migrate import upgrade

    print(f"universal_pipelines schema at revision {upgrade()}")


@pipelines_app.command("list")
@cli_errors
def list_pipelines(as_json: JsonOption = False) -> None:
    """Every pipeline with its template, entity, strategies and the status of its newest run."""
    pipelines = PipelineStore().list_pipelines()
    if as_json:
        emit([p.model_dump(mode="json") for p in pipelines])
        return
    for p in pipelines:
        state = "enabled" if p.enabled else "disabled"
        print(
            f"{p.id}\t{p.name}\ttemplate={p.template_id}\tentity={p.entity_id}\tartifacts={len(p.artifact_ids)}\t"
            f"{p.load_strategy}\t{p.failure_policy}\t{state}\tlast run: {p.last_run_status or 'never'}"
        )
    if not pipelines:
        print("no pipelines yet: create one with POST /api/pipelines", file=sys.stderr)


@pipelines_app.command()
@cli_errors
def show(pipeline_id: int, as_json: JsonOption = False) -> None:
    """One pipeline, its template fields, its entity and its latest runs."""
    store = PipelineStore()
    pipeline = store.get_pipeline(pipeline_id)
    template, entity = store.get_template(pipeline.template_id), store.get_entity(pipeline.entity_id)
    latest = store.list_runs(pipeline_id, limit=10)
    if as_json:
        emit(
            {
                "pipeline": pipeline.model_dump(mode="json"),
                "template": template.model_dump(mode="json"),
                "entity": entity.model_dump(mode="json"),
                "runs": [r.model_dump(mode="json") for r in latest],
            }
        )
        return
    print(
        f"pipeline {pipeline.id}: {pipeline.name}  ({pipeline.load_strategy}, {pipeline.failure_policy}, batch {pipeline.batch_size})"
    )
    print(f"template {template.id}: {template.name}  strategy {template.extraction_strategy}")
    for f in template.fields:
        print(f"  {f.name}: {f.field_type}{' required' if f.required else ''}  {f.selector or ''}")
    print(
        f"entity {entity.id}: {entity.schema_name}.{entity.table_name}  unique {', '.join(entity.unique_fields) or '-'}"
    )
    print(f"artifacts: {', '.join(map(str, pipeline.artifact_ids)) or '-'}")
    for run in latest:
        print("  " + run_line(run))


@pipelines_app.command(epilog=EXIT_CODES_HELP)
@exits
@cli_errors
def launch(
    pipeline_id: int,
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the run to end; exit 1 if it fails.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds --wait waits (exit 4 after).")] = 3600,
    as_json: JsonOption = False,
    url: UrlOption = None,
) -> None:
    """Build the run config from the records and launch the pipeline through daglab."""
    store = PipelineStore()
    run = runs.launch(store, pipeline_id, url)
    if not as_json:
        print(f"launched run {run.dagster_run_id} of pipeline {pipeline_id} ({run.status})", file=sys.stderr)
    if wait:
        run = wait_for(store, run, timeout, url, quiet=as_json)
    if as_json:
        emit(run.model_dump(mode="json"))
    else:
        print(run_line(run))
    if wait and run.status != "SUCCESS":
        raise typer.Exit(EXIT_RUN_FAILED)


def wait_for(store: PipelineStore, run: PipelineRun, timeout: float, url: str | None, quiet: bool) -> PipelineRun:
    """Wait for Dagster to end the run, then (briefly) for the sensor to copy its counts."""
    from daglab.errors import RunTimeoutError

    with runs.client(url) as dagster:
        try:
            info = dagster.wait(
                run.dagster_run_id,
                timeout=timeout,
                on_update=None if quiet else lambda i: print(f"  {i.status}", file=sys.stderr),
            )
        except RunTimeoutError:
            print(f"error: run {run.dagster_run_id} still running after {timeout:.0f}s", file=sys.stderr)
            raise typer.Exit(EXIT_TIMEOUT) from None
    deadline = time.monotonic() + SYNC_WAIT_S
    while time.monotonic() < deadline:
        run = store.get_run(run.dagster_run_id)
        if run.status in FINISHED_STATUSES:
            return run
        time.sleep(1)
    return store.record_run(run.pipeline_id, run.dagster_run_id, **runs.status_values(info))


@pipelines_app.command(epilog=EXIT_CODES_HELP)
@exits
@cli_errors
def status(run_id: str, as_json: JsonOption = False, url: UrlOption = None) -> None:
    """A run's status, times, counts and error (exit 1 when it failed or was canceled)."""
    store = PipelineStore()
    run = runs.refresh(store, store.get_run(run_id), url)
    emit(run.model_dump(mode="json")) if as_json else print(run_line(run))
    if run.status in ("FAILURE", "CANCELED"):
        raise typer.Exit(EXIT_RUN_FAILED)


@pipelines_app.command(epilog=EXIT_CODES_HELP)
@exits
@cli_errors
def logs(
    run_id: str,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing until the run ends.")] = False,
    as_json: JsonOption = False,
    url: UrlOption = None,
) -> None:
    """The run's Dagster event log."""
    PipelineStore().get_run(run_id)  # only pipeline runs
    cursor = None
    while True:
        page = runs.logs(run_id, cursor, url)
        for event in page.events:
            if as_json:
                print(json.dumps(event.model_dump(mode="json")))
            else:
                print(
                    f"{event.event_type or event.type:<22} {event.step_key or '':<13} {event.message}"
                    + (f"\n  {event.error}" if event.error else "")
                )
        cursor = page.cursor or cursor
        if page.has_more:
            continue
        if not follow:
            return
        with runs.client(url) as dagster:
            if dagster.run(run_id).is_finished and not runs.logs(run_id, cursor, url).events:
                return
        time.sleep(1)


@pipelines_app.command(epilog=EXIT_CODES_HELP)
@exits
@cli_errors
def cancel(run_id: str, url: UrlOption = None) -> None:
    """Ask Dagster to terminate the run."""
    store = PipelineStore()
    run = store.get_run(run_id)
    run = runs.cancel(store, run.pipeline_id, run_id, url)
    print(run_line(run))
