"""`data-manager api`: serve the platform API with uvicorn.

`data-manager api --openapi` prints the API's OpenAPI document instead (the designer's generated types come from it).

Exit codes: 0 stopped cleanly; 2 bad input (a non-loopback bind without PLATFORM_API_TOKEN, a busy port).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from data_manager.errors import UserError, cli_errors
from data_manager.settings import env


def register_api_commands(app: typer.Typer) -> None:
    @app.command("api")
    @cli_errors
    def api_command(
        host: Annotated[
            str | None, typer.Option(help="Interface to bind [default: PLATFORM_API_HOST or 127.0.0.1]")
        ] = None,
        port: Annotated[int | None, typer.Option(help="Port [default: PLATFORM_API_PORT or 3100]")] = None,
        openapi: Annotated[
            bool,
            typer.Option(
                "--openapi",
                help="Print the OpenAPI document (JSON) and exit, serving nothing: the designer's types are "
                "generated from it (cd designer && npm run gen:api)",
            ),
        ] = False,
    ) -> None:
        """Serve the platform API (designer routes; OpenAPI at /api/openapi.json).

        A non-loopback --host needs PLATFORM_API_TOKEN, which clients then send as a bearer token.
        """
        if openapi:
            from data_manager.api.app import openapi_document

            sys.stdout.write(openapi_document())
            return
        import socket

        import uvicorn

        from data_manager.api.app import create_app
        from data_manager.api.security import check_bind
        from data_manager.designer.dg import forks as dg_forks

        bind_host = host or env("PLATFORM_API_HOST")
        bind_port = port if port is not None else int(env("PLATFORM_API_PORT"))
        token = env("PLATFORM_API_TOKEN")
        check_bind(bind_host, token)
        try:
            with socket.create_server((bind_host, bind_port), reuse_port=False):
                pass
        except OSError as exc:
            raise UserError(f"cannot bind the platform API to {bind_host}:{bind_port}: {exc.strerror or exc}") from None
        dg_forks.enable()  # a long-running server: its dg commands run in warm forks
        uvicorn.run(create_app(token=token), host=bind_host, port=bind_port, log_level="info", access_log=False)
