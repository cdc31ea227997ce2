"""`data-manager pipelines`: migrate the schema; list, show, launch and watch universal pipelines; add artifacts.

Exit codes are daglab's: 0 success; 1 the run failed or was canceled; 2 bad input (unknown id,
invalid pipeline, every error listed); 3 the Dagster webserver is unreachable; 4 --timeout expired.
"""

from __future__ import annotations

import json
import mimetypes
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from daglab.cli import EXIT_CODES_HELP, EXIT_RUN_FAILED, EXIT_TIMEOUT, exits
from daglab.models import FINISHED_STATUSES, UNSUCCESSFUL_STATUSES
from data_manager.errors import cli_errors
from data_manager.pipelines import runs
from data_manager.pipelines.findings import ARTIFACT_DISABLED
from data_manager.pipelines.models import ArtifactIn, PipelineRun
from data_manager.pipelines.store import CHUNK_BYTES, PipelineStore

pipelines_app = typer.Typer(
    help="Universal pipelines: records in Postgres, runs in Dagster. " + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
UrlOption = Annotated[str | None, typer.Option("--url", help="Dagster webserver URL (default: DAGSTER_WEBSERVER_URL or the local one).")]  # fmt: skip
POLL_S = 1.0


def emit(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


def run_line(run: PipelineRun) -> str:
    counts = f"extracted={run.records_extracted} loaded={run.records_loaded} failed={run.records_failed}"
    line = f"{run.dagster_run_id}  {run.status:<9}  {counts}"
    if run.counts:
        c = run.counts
        line += (
            f"  tables found={c.get('tables_found', 0)} used={c.get('tables_used', 0)} "
            f"skipped={c.get('tables_skipped', 0)}  rows found={c.get('rows_found', 0)} "
            f"used={c.get('rows_used', 0)} skipped={c.get('rows_skipped', 0)}"
        )
        if c.get("artifacts_skipped"):
            line += f"\n  skipped {c['artifacts_skipped']} artifact(s): {ARTIFACT_DISABLED}"
        for kind, rows in sorted((c.get("skipped_by_kind") or {}).items()):
            if kind != ARTIFACT_DISABLED:
                line += f"\n  skipped {rows} row(s): {kind}"
    return line + (f"\n  error: {run.error}" if run.error else "")


def progress_line(run: PipelineRun) -> str:
    p = run.progress or {}
    done = f"  artifact {p['artifacts_done']} of {p['artifacts_total']}, {p['records_so_far']} records" if p else ""
    return f"  {run.status}{done}"


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
    """Poll until the run ends, printing its status and progress as they change; its counts and error then."""
    deadline = time.monotonic() + timeout
    shown = ""
    while True:
        run = runs.refresh(store, store.get_run(run.dagster_run_id), url)
        line = progress_line(run)
        if not quiet and line != shown:
            print(line, file=sys.stderr)
            shown = line
        if run.status in FINISHED_STATUSES:
            return run
        if time.monotonic() > deadline:
            print(f"error: run {run.dagster_run_id} still running after {timeout:.0f}s", file=sys.stderr)
            raise typer.Exit(EXIT_TIMEOUT)
        time.sleep(POLL_S)


@pipelines_app.command(epilog=EXIT_CODES_HELP)
@exits
@cli_errors
def status(run_id: str, as_json: JsonOption = False, url: UrlOption = None) -> None:
    """A run's status, times, counts and error (exit 1 when it failed or was canceled)."""
    store = PipelineStore()
    run = runs.refresh(store, store.get_run(run_id), url)
    emit(run.model_dump(mode="json")) if as_json else print(
        run_line(run) + ("\n" + progress_line(run) if run.progress else "")
    )
    if run.status in UNSUCCESSFUL_STATUSES:
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


artifacts_app = typer.Typer(
    help="Artifacts: the documents pipelines read.", no_args_is_help=True, add_completion=False,
    pretty_exceptions_enable=False,
)  # fmt: skip
pipelines_app.add_typer(artifacts_app, name="artifacts")


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while block := handle.read(CHUNK_BYTES):
            yield block


@artifacts_app.command("add")
@cli_errors
def add_artifact(
    file: Annotated[
        str, typer.Argument(help="A file to store (streamed, up to ARTIFACT_MAX_MB), or with --link a path/URL.")
    ],
    name: Annotated[str | None, typer.Option(help="Name (default: the file name).")] = None,
    media_type: Annotated[
        str | None, typer.Option("--media-type", help="Media type (default: from the file name).")
    ] = None,
    link: Annotated[
        bool, typer.Option("--link", help="Register the path (under ARTIFACT_ROOTS) or http(s) URL; read at run time.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Store a document as an artifact (the same bytes twice are one artifact), or register a path or URL."""
    from data_manager.errors import UserError

    guessed = mimetypes.guess_type(file)[0] or "application/octet-stream"
    meta = ArtifactIn(name=name or Path(file).name or file, media_type=media_type or guessed, location=file if link else None)  # fmt: skip
    store = PipelineStore()
    if link:
        artifact, created = store.create_artifact(meta), True
    else:
        path = Path(file)
        if not path.is_file():
            raise UserError(f"{file}: no such file (use --link for a URL or a path read at run time)")
        artifact, created = store.store_artifact(meta, file_chunks(path))
    if as_json:
        emit({**artifact.model_dump(mode="json"), "created": created})
        return
    verb = "stored" if created else "already stored as"
    print(f"{verb} artifact {artifact.id}: {artifact.name} ({artifact.media_type}, {artifact.size_bytes or '?'} bytes)")


@artifacts_app.command("list")
@cli_errors
def list_artifacts(as_json: JsonOption = False) -> None:
    """Every artifact: id, name, media type, size, stored or where it is read from, enabled or disabled."""
    artifacts = PipelineStore().list_artifacts()
    if as_json:
        emit([a.model_dump(mode="json") for a in artifacts])
        return
    for a in artifacts:
        print(
            f"{a.id}\t{a.name}\t{a.media_type}\t{a.size_bytes if a.stored else '-'}\t{'stored' if a.stored else a.location}"
            f"\t{'enabled' if a.enabled else 'disabled'}"
        )


@artifacts_app.command("delete")
@cli_errors
def delete_artifact(artifact_id: int) -> None:
    """Delete an artifact no pipeline uses."""
    PipelineStore().delete_artifact(artifact_id)
    print(f"deleted artifact {artifact_id}")
