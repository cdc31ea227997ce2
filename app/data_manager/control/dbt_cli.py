"""`data-manager dbt ...`: build-time dbt commands (the root CLI registers them)."""

from __future__ import annotations

from pathlib import Path

import typer

from data_manager.errors import cli_errors
from data_manager.table_output import progress_console

dbt_app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@dbt_app.callback()
def dbt_group() -> None:
    """dbt project commands: prepare the manifest at build time (code servers never parse dbt)."""


@dbt_app.command("prepare")
@cli_errors
def prepare(
    project_dir: Path | None = typer.Option(
        None, "--project-dir", help="dbt project folder (default: dbt_models/ at the repository root)."
    ),
) -> None:
    """Parse the dbt project into target/manifest.json, which code locations load without parsing,
    then the dbt projects that locations hold themselves (dagster_dbt.DbtProjectComponent)."""
    from data_manager.dbt.prepare import prepare_manifest
    from data_manager.locations.dbt_projects import prepare_dbt_projects
    from data_manager.locations.model import registered_locations

    console = progress_console()
    with console.status("Parsing the dbt project (dbt parse)..."):
        result = prepare_manifest(project_dir)
    console.print(
        f"dbt manifest ready: {result.manifest} ({result.models} models, {result.tests} tests, "
        f"{result.sources} sources) in {result.seconds:.1f}s"
    )
    if project_dir is not None:
        return  # one explicit project: the locations' own projects are not part of it
    for location in registered_locations():
        with console.status(f"Parsing the dbt projects of {location.name}..."):
            prepared = prepare_dbt_projects(location)
        if prepared:
            console.print(
                f"dbt projects of {location.name} ready ({len(prepared.components)} "
                f"DbtProjectComponent) in {prepared.seconds:.1f}s"
            )


def register_dbt_commands(app: typer.Typer) -> None:
    """Add the `dbt` command group to the root `data-manager` app."""
    app.add_typer(dbt_app, name="dbt")


if __name__ == "__main__":
    dbt_app()
