"""`data-manager components run|state`: the designer's Run button and live state, for scripts and CI.

Exit codes: 0 success; 1 the run failed, or the webserver is not running; 2 bad input.
"""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from daglab.models import FINISHED_STATUSES
from data_manager.errors import EXIT_FAILURE, cli_errors
from data_manager.paths import ProjectPaths

POLL_S = 2.0


def run_command(
    location: Annotated[str, typer.Argument(help="Registered location name.")],
    assets: Annotated[
        list[str] | None, typer.Option("--asset", help="Asset key (a/b) to materialize; repeat. Default: the pipeline.")
    ] = None,
    job: Annotated[
        str | None, typer.Option("--job", help="A job of the location. Default: <name>_pipeline, else its only job.")
    ] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Follow the run until it finishes.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")] = False,
) -> None:
    """Launch the location's job (<name>_pipeline, else its only one), a --job, or only the given assets."""
    from data_manager.designer.layout import location_layout
    from data_manager.designer.runs import launch_run, run_status

    layout = location_layout(ProjectPaths.discover(), location)
    run = launch_run(layout, assets or None, job)
    if not as_json:
        print(f"launched run {run['run_id']}: {run['url']}")
    while wait and run["status"] not in FINISHED_STATUSES:
        time.sleep(POLL_S)
        run = run_status(layout, str(run["run_id"]))
    print(json.dumps(run, indent=2) if as_json else f"run {run['run_id']}: {run['status']}")
    if wait and run["status"] != "SUCCESS":
        raise SystemExit(EXIT_FAILURE)


def state_command(
    location: Annotated[str, typer.Argument(help="Registered location name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")] = False,
) -> None:
    """Each asset's live status on the running platform: succeeded, stale, failed, running or never (with why)."""
    from data_manager.designer.layout import location_layout
    from data_manager.designer.runs import live_state

    document = live_state(location_layout(ProjectPaths.discover(), location))
    if as_json:
        print(json.dumps(document, indent=2))
        return
    if not document["served"]:
        print(f"the running webserver has not loaded {location} yet")
    for asset in document["assets"]:  # type: ignore[union-attr]
        last = asset["last_run"]
        last_run = f"{last['run_id']} {last['status']}" if last else "-"
        print(f"{asset['key']}\t{asset['status']}\t{last_run}\t{asset['why'] or ''}")


def register(app: typer.Typer) -> None:
    app.command("run")(cli_errors(run_command))
    app.command("state")(cli_errors(state_command))
