"""HTTP server of the sample products API (standard library `http.server`).

Endpoints:
  GET /health                      -> {"status": "ok", "products": N}
  GET /products?limit=30&skip=0    -> {"products": [...], "total": N, "skip": S, "limit": L}
  GET /products/<id>               -> one product, 404 when unknown

`fail=True` makes every data endpoint answer 503, to exercise a failing source.
"""

from __future__ import annotations

import json
import threading
from functools import cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEFAULT_LIMIT = 30
MAX_LIMIT = 100


@cache
def load_products() -> tuple[dict[str, Any], ...]:
    """The fixture's products, read once; tests take expected counts from here."""
    text = resources.files("sample_api").joinpath("products.json").read_text(encoding="utf-8")
    return tuple(json.loads(text)["products"])


def _int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    raw = query.get(name, [str(default)])[0]
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"query parameter {name!r} must be an integer, got {raw!r}") from None
    if value < 0:
        raise ValueError(f"query parameter {name!r} must be >= 0, got {value}")
    return value


class ProductsHandler(BaseHTTPRequestHandler):
    """Serves the fixture; the server's `fail` attribute turns data endpoints into 503s."""

    server: SampleApiServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: HTTPStatus, body: Any) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        products = load_products()
        if path == "/health":
            self._send(HTTPStatus.OK, {"status": "failing" if self.server.fail else "ok", "products": len(products)})
            return
        if self.server.fail and path.startswith("/products"):
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, {"message": "sample API is in failure mode"})
            return
        if path == "/products":
            query = parse_qs(url.query)
            try:
                limit = min(_int_param(query, "limit", DEFAULT_LIMIT), MAX_LIMIT)
                skip = _int_param(query, "skip", 0)
            except ValueError as exc:
                self._send(HTTPStatus.BAD_REQUEST, {"message": str(exc)})
                return
            page = list(products[skip : skip + limit])
            self._send(HTTPStatus.OK, {"products": page, "total": len(products), "skip": skip, "limit": limit})
            return
        if path.startswith("/products/"):
            key = path.removeprefix("/products/")
            match = next((p for p in products if str(p["id"]) == key), None)
            if match is None:
                self._send(HTTPStatus.NOT_FOUND, {"message": f"product {key!r} not found"})
            else:
                self._send(HTTPStatus.OK, match)
            return
        self._send(HTTPStatus.NOT_FOUND, {"message": f"no route {path!r}; try /products"})


class SampleApiServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer carrying the failure switch and verbosity."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], fail: bool = False, verbose: bool = False):
        super().__init__(address, ProductsHandler)
        self.fail = fail
        self.verbose = verbose

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start_in_thread(self) -> threading.Thread:
        """Serve in a daemon thread (tests); stop with `shutdown()` then `server_close()`."""
        thread = threading.Thread(target=self.serve_forever, name="sample-api", daemon=True)
        thread.start()
        return thread


def make_server(host: str = "127.0.0.1", port: int = 0, fail: bool = False, verbose: bool = False) -> SampleApiServer:
    """Bind the API; port 0 picks a free port (see `.url`)."""
    return SampleApiServer((host, port), fail=fail, verbose=verbose)
