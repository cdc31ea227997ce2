"""Control-plane commands: locations, serve, health, validate, reload.

Exit codes: 0 success; 1 a check, validation or health probe failed; 2 bad input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from data_manager.errors import EXIT_FAILURE, UserError, cli_errors
from data_manager.locations.registry_store import load_registry
from data_manager.paths import ProjectPaths
from data_manager.stack_runtime import served_registry
from data_manager.table_output import print_table

locations_app = typer.Typer(no_args_is_help=True, help="List, add, remove, render and check code locations.")


def note(message: str) -> None:
    """Plain stderr line: never wrapped, so errors stay one line."""
    print(message, file=sys.stderr)


JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


def _paths() -> ProjectPaths:
    return ProjectPaths.discover()


def _after_location_change(paths: ProjectPaths, changed: list[Path]) -> None:
    from data_manager.control.platform_refresh import after_location_change

    for line in after_location_change(paths, changed):
        note(line)


@locations_app.command("list")
@cli_errors
def list_locations(as_json: JsonOption = False) -> None:
    """Show the registered code locations."""
    registry = load_registry(_paths().registry)
    if as_json:
        print(json.dumps(registry.model_dump(mode="json")["code_locations"], indent=2))
        return
    rows = [
        [loc.name, "yes" if loc.enabled else "no", str(loc.port), loc.module, loc.description]
        for loc in registry.code_locations
    ]
    print_table(["name", "enabled", "port", "module", "description"], rows)


@locations_app.command("render")
@cli_errors
def render_command() -> None:
    """Regenerate platform/workspace.yaml and .env.example from their sources."""
    from data_manager.locations.lifecycle import render

    paths = _paths()
    changed = render(paths)
    for path in changed:
        note(f"wrote {path.relative_to(paths.home)}")
    if not changed:
        note("generated files are current")


@locations_app.command("check")
@cli_errors
def check_command() -> None:
    """Fail (exit 1) when the registry is invalid or a generated file is stale."""
    from data_manager.locations.lifecycle import check

    problems = check(_paths())
    for problem in problems:
        note(f"error: {problem}")
    if problems:
        raise typer.Exit(EXIT_FAILURE)
    note("registry and generated files are consistent")


@locations_app.command("add")
@cli_errors
def add_command(
    name: Annotated[str, typer.Argument(help="Location name: a lower-case Python identifier.")],
    port: Annotated[int | None, typer.Option(help="gRPC port in 4266-4299; default: the next free one.")] = None,
    template: Annotated[str, typer.Option(help="Template: empty, airbyte, sql or dbt.")] = "empty",
    description: Annotated[str, typer.Option(help="One line for the registry.")] = "",
) -> None:
    """Scaffold a location, register it with a free port and regenerate the workspace."""
    from data_manager.locations.lifecycle import add

    paths = _paths()
    result = add(paths, name, port=port, template=template, description=description)
    note(f"added location {name!r} on port {result.location.port} from the {template!r} template:")
    for path in result.files:
        note(f"  {path.relative_to(paths.home)}")
    _after_location_change(paths, result.files)


@locations_app.command("remove")
@cli_errors
def remove_command(
    name: Annotated[str, typer.Argument(help="Registered location name.")],
    purge: Annotated[
        bool, typer.Option("--purge", help="Also delete its connectors, dbt models and cache tables.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation of --purge.")] = False,
) -> None:
    """Unregister a location and delete its package (refused while it has active runs)."""
    from data_manager import webserver
    from data_manager.locations.lifecycle import remove, require_known
    from data_manager.locations.ownership import owned_resources

    paths = _paths()
    require_known(load_registry(paths.registry), name)
    runs = webserver.active_runs(name) if webserver.is_up() else []
    if purge and not runs and not yes:
        owned = owned_resources(paths, name)
        note(f"--purge will permanently delete for {name!r}:")
        for line in owned.describe(paths) or ["(nothing beyond the package)"]:
            note(f"  {line}")
        if not sys.stdin.isatty():
            raise UserError("refusing to purge without confirmation: pass --yes (YES=1)")
        if not typer.confirm("Proceed?", default=False):
            raise UserError("aborted; nothing changed", exit_code=EXIT_FAILURE)
    result = remove(paths, name, purge=purge, active_runs=runs)
    note(f"removed location {name!r}:")
    for item in result.removed:
        note(f"  {item}")
    _after_location_change(paths, [paths.home / item for item in result.removed if not item.startswith("table ")])


def register_control_commands(app: typer.Typer) -> None:
    """Add the control-plane commands to the root `data-manager` app."""
    app.add_typer(locations_app, name="locations")

    @app.command("serve")
    @cli_errors
    def serve_command(
        bind: Annotated[str, typer.Option(help="Interface the code servers listen on.")] = "0.0.0.0",
        local_workspace: Annotated[
            Path | None, typer.Option(help="Also write a workspace.yaml pointing at 127.0.0.1 here (make dev).")
        ] = None,
        pidfile: Annotated[
            Path | None, typer.Option(help="Write our pid here so `locations add` can signal us.")
        ] = None,
        grace: Annotated[float, typer.Option(help="Seconds between TERM and KILL when stopping a server.")] = 10.0,
    ) -> None:
        """Run one supervised code server per enabled location (CODE_SERVER_MODE; the container entrypoint)."""
        from data_manager.control.serve import serve

        raise typer.Exit(serve(_paths(), bind, local_workspace, pidfile, grace))

    @app.command("health")
    @cli_errors
    def health_command(
        host: Annotated[str | None, typer.Option(help="Probe this host instead of 127.0.0.1.")] = None,
        workspace: Annotated[
            bool, typer.Option("--workspace", help="Also ask the webserver that every location is LOADED.")
        ] = False,
        as_json: JsonOption = False,
    ) -> None:
        """Exit 0 only when every enabled location answers the gRPC health check (compose healthcheck).

        With --workspace, also when the webserver (DAGSTER_WEBSERVER_URL) has each of them LOADED.
        """
        from data_manager.control.health import check_locations, check_workspace

        enabled = served_registry(_paths()).enabled
        results = check_locations(enabled, host=host or "127.0.0.1")
        if workspace:
            results += check_workspace(enabled)
        if as_json:
            print(json.dumps([r.__dict__ for r in results]))
        else:
            for r in results:
                healthy = "LOADED" if r.address == "webserver" else "SERVING"
                note(f"{r.name:<24} {r.address:<22} {healthy if r.serving else r.detail}")
        if not all(r.serving for r in results):
            raise typer.Exit(EXIT_FAILURE)

    @app.command("validate")
    @cli_errors
    def validate_command(
        name: Annotated[str | None, typer.Argument(help="Only this location.")] = None,
        host: Annotated[str, typer.Option(help="Where the code servers would answer.")] = "127.0.0.1",
        as_json: JsonOption = False,
    ) -> None:
        """Import each location in a subprocess; check Postgres and gRPC health when the platform runs.

        Postgres and gRPC show "not running" when the local platform is stopped: exit 0 when the
        code loads. Exit 1 for an import error or a configured Postgres that does not answer.
        """
        from data_manager.control.validate import database_status, validate_location
        from data_manager.locations.lifecycle import require_known

        paths = _paths()
        registry = served_registry(paths)
        targets = [require_known(registry, name)] if name else registry.enabled
        db_status, db_problem = database_status()
        reports = [validate_location(paths, location, host) for location in targets]
        if as_json:
            print(json.dumps({"postgres": db_status, "locations": [r.__dict__ for r in reports]}))
        else:
            note(f"postgres: {db_status}")
            headers = ["location", "assets", "checks", "jobs", "schedules", "sensors", "load s", "gRPC", "status"]
            keys = ("assets", "asset_checks", "jobs", "schedules", "sensors", "load_seconds")
            rows = [
                [r.name, *(str(r.counts.get(k, "-")) for k in keys), r.grpc, "ok" if r.ok else "FAILED"]
                for r in reports
            ]
            print_table(headers, rows)
        failed = [r for r in reports if not r.ok]
        for r in failed:
            note(f"error: location {r.name!r}: {'; '.join(r.errors)}")
        if db_problem:
            note(f"error: {db_problem}")
        if failed or db_problem:
            raise typer.Exit(EXIT_FAILURE)

    @app.command("reload")
    @cli_errors
    def reload_command(name: Annotated[str, typer.Argument(help="Registered location name.")]) -> None:
        """Reload one location in the running platform (picks up code changes without a restart)."""
        from data_manager.control.reload import reload_one
        from data_manager.locations.lifecycle import require_known

        paths = _paths()
        reload_one(paths, require_known(served_registry(paths), name))
        note(f"reloaded {name!r}: loaded")

    @app.command("env-example")
    def env_example_command() -> None:
        """Print the generated .env.example."""
        from data_manager.settings import render_env_example

        sys.stdout.write(render_env_example())
