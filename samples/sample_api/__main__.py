"""`python -m sample_api [--host H] [--port P] [--fail]`: run the sample products API."""

from __future__ import annotations

import typer

from data_manager.errors import UserError, cli_errors
from data_manager.settings import env
from sample_api.server import load_products, make_server


@cli_errors
def run(
    host: str = typer.Option("127.0.0.1", help="Interface to bind (0.0.0.0 in compose)."),
    port: int | None = typer.Option(None, help="Port to listen on (default: env SAMPLE_API_PORT, else 8099)."),
    fail: bool = typer.Option(False, "--fail", help="Answer 503 on every data endpoint (to test a failing source)."),
    verbose: bool = typer.Option(False, "--verbose", help="Log every request."),
) -> None:
    """Serve the sample products API until interrupted."""
    port = port if port is not None else int(env("SAMPLE_API_PORT"))
    try:
        server = make_server(host, port, fail=fail, verbose=verbose)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    mode = " (failure mode)" if fail else ""
    print(f"sample API: {len(load_products())} products at {server.url}/products{mode}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main() -> None:
    typer.run(run)


if __name__ == "__main__":
    main()
