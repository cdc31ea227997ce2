"""`data-manager`: the data-manager container's command line.

Before any command runs: `.env` fills in unset variables, every typed setting is checked (a bad one
is one line naming it, exit 2), and `platform_database` decides which Postgres every command uses.

Exit codes: 0 success, 1 a check or run failed, 2 bad input (one line on stderr).
"""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from data_manager.api.cli import register_api_commands
from data_manager.control.cli import register_control_commands
from data_manager.control.dbt_cli import register_dbt_commands
from data_manager.control.worker_cli import register_worker_commands
from data_manager.deploy.cli import helm_app
from data_manager.designer.cli import components_app
from data_manager.designer.live_cli import register as register_live_commands
from data_manager.errors import UserError
from data_manager.ingestion.cli import sync_app
from data_manager.local.cli import register_local_commands
from data_manager.pipelines.cli import pipelines_app

app = typer.Typer(
    name="data-manager",
    help="Serve, validate and manage the platform's code locations; run syncs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def prepare_environment() -> None:
    """Read .env, check every setting, choose the platform's Postgres (for every command alike)."""
    from data_manager.db import platform_database
    from data_manager.paths import find_home
    from data_manager.settings import check_environment, load_dotenv_file

    try:
        load_dotenv_file(find_home() / ".env")
        check_environment()
        platform_database()
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(exc.exit_code) from None


register_control_commands(app)
register_local_commands(app)
register_worker_commands(app)
app.add_typer(helm_app, name="helm", help="Kubernetes: the Dagster Helm chart's values, from the registry.")
app.add_typer(sync_app, name="sync", help="Run a sync from the command line.")
register_dbt_commands(app)
register_api_commands(app)
register_live_commands(components_app)
app.add_typer(components_app, name="components")
app.add_typer(
    pipelines_app, name="pipelines", help="Universal pipelines: migrate, list, show, launch, status, logs, cancel."
)


def main() -> None:
    """Run a command; a usage error (wrong type, missing value, unknown option) is one line on stderr, exit 2."""
    try:
        code = app(standalone_mode=False)
    except TyperException as exc:  # typer's click errors: UsageError, BadParameter, MissingParameter, ...
        if type(exc).__name__ == "NoArgsIsHelpError":  # a group without its command: typer printed its help
            raise SystemExit(exc.exit_code) from None
        context = getattr(exc, "ctx", None)
        hint = f" (see `{context.command_path} --help`)" if context is not None else ""
        message = " ".join(exc.format_message().split())
        print(f"error: {message}{hint}", file=sys.stderr)
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        raise SystemExit(1) from None
    raise SystemExit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
