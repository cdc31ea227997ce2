"""Bind policy, bearer token and request-size limit of the platform API."""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import socket
from http.cookies import CookieError, SimpleCookie
from urllib.parse import quote, unquote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from data_manager.api.errors import ErrorItem, UploadTooLarge, error_response
from data_manager.errors import UserError

MAX_BODY_BYTES = 1024 * 1024
# Uploads (multipart) stream through to the route unbuffered, up to ARTIFACT_MAX_MB plus the form's own bytes.
UPLOAD_PATHS = frozenset({"/api/artifacts"})
MULTIPART_SLACK = 1024 * 1024
# Reachable without the token so that healthchecks need no secret; it reveals nothing.
PUBLIC_PATHS = frozenset({"/api/health"})
# The token guards the API; static files served beside it (the designer UI's bundle) are not secret.
GUARDED_PREFIX = "/api/"


def is_loopback(host: str) -> bool:
    """True when `host` (a name or an address) only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def check_bind(host: str, token: str) -> None:
    """Refuse a non-loopback bind without a token: the API writes files and commits to git."""
    if not is_loopback(host) and not token:
        raise UserError(
            f"refusing to bind the platform API to {host} without PLATFORM_API_TOKEN: "
            "set it (clients then send `Authorization: Bearer <token>`) or bind to 127.0.0.1"
        )


TOKEN_COOKIE = "platform_api_token"  # set by the API on an answer to a right bearer header (see token_cookie)


def token_cookie(token: str) -> str:
    """The Set-Cookie value that lets a browser's EventSource (no headers) send the token: only to /api, never
    from another site's page (SameSite=Strict), never readable by scripts (HttpOnly)."""
    return f"{TOKEN_COOKIE}={quote(token, safe='')}; Path={GUARDED_PREFIX}; SameSite=Strict; HttpOnly"


class GuardMiddleware:
    """Pure ASGI middleware: bearer token (when configured) and a body-size limit, before any route runs."""

    def __init__(self, app: ASGIApp, token: str = "", max_body_bytes: int = MAX_BODY_BYTES):
        self.app = app
        self.token = token
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        path = scope["path"]
        guarded = path.startswith(GUARDED_PREFIX) and path not in PUBLIC_PATHS
        if self.token and guarded:
            if not self._authorized(headers):
                response = error_response(
                    401, [ErrorItem(message="missing or wrong bearer token")], headers={"WWW-Authenticate": "Bearer"}
                )
                await response(scope, receive, send)
                return
            if not self._cookie_matches(headers):  # a bearer header was right: the browser keeps it as a cookie
                send = _with_header(send, b"set-cookie", token_cookie(self.token).encode("latin-1"))
        declared = headers.get("content-length", "")
        if path in UPLOAD_PATHS and headers.get("content-type", "").startswith("multipart/form-data"):
            limit = upload_limit()
            if declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
                await error_response(413, [upload_too_large()])(scope, receive, send)
                return
            await self.app(scope, _counted(receive, limit + MULTIPART_SLACK), send)
            return
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        body = await self._read_body(receive)
        if body is None:
            await self._too_large(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _authorized(self, headers: dict[str, str]) -> bool:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            return hmac.compare_digest(value.strip().encode(), self.token.encode())
        # A browser's EventSource (the Pipelines page's live log) cannot send headers: the token also comes in
        # the SameSite=Strict cookie this middleware set, which no other site's page can make the browser send.
        return self._cookie_matches(headers)

    def _cookie_matches(self, headers: dict[str, str]) -> bool:
        cookies = SimpleCookie()
        with contextlib.suppress(CookieError):
            cookies.load(headers.get("cookie", ""))
        cookie = cookies.get(TOKEN_COOKIE)
        return cookie is not None and hmac.compare_digest(unquote(cookie.value).encode(), self.token.encode())

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"request body larger than {self.max_body_bytes // 1024} KiB"
        await error_response(413, [ErrorItem(message=message)])(scope, receive, send)

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or None once it crosses the limit (chunked bodies declare no length)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _with_header(send: Send, name: bytes, value: bytes) -> Send:
    """`send` with one more header on the response's start."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), (name, value)]}
        await send(message)

    return sending


def upload_limit() -> int:
    from data_manager.pipelines.artifact_access import max_bytes

    return max_bytes()


def upload_too_large() -> ErrorItem:
    from data_manager.pipelines.store import ArtifactTooLarge

    return ErrorItem(message=str(ArtifactTooLarge(upload_limit())), path=["file"])


def _counted(receive: Receive, limit: int) -> Receive:
    """`receive`, refusing (UploadTooLarge) once more than `limit` body bytes have come (chunked uploads too)."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise UploadTooLarge(upload_too_large())
        return message

    return counted


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the buffered body over once, then defers to the server (disconnects)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
