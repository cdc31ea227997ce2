"""Loopback HTTP servers for tests: stdlib http.server in a thread, recording every request."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class LoopbackServer:
    """A stdlib HTTP server in a thread; `requests` records (method, path, headers, body) of each call."""

    url: str
    requests: list[dict] = field(default_factory=list)


def serve(
    handler_fn: Callable[[BaseHTTPRequestHandler, LoopbackServer], tuple[int, object]],
) -> Iterator[LoopbackServer]:
    """Run `handler_fn(request, server) -> (status, json body)` for every request until the fixture ends."""
    state = LoopbackServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers),
                    "body": body.decode() or None,
                }
            )
            status, payload = handler_fn(self, state)
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
