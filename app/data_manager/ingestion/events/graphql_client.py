"""`query_graphql_api`: POST a GraphQL query with retries, and fail clearly with the server's errors.

Tokens come from the argument or GRAPHQL_API_TOKEN and travel only in the request header; nothing
here logs headers, and error messages name the URL (without credentials) and the server's messages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx

from data_manager.settings import env

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 502, 503, 504})


class GraphQLAPIError(Exception):
    """The GraphQL call failed; `errors` holds the server's GraphQL errors when it sent any."""

    def __init__(
        self, message: str, errors: list[dict[str, Any]] | None = None, status_code: int | None = None
    ) -> None:
        super().__init__(message)
        self.errors = errors or []
        self.status_code = status_code


def query_graphql_api(
    query: str,
    variables: Mapping[str, Any] | None = None,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    token: str | None = None,
    timeout: float = 30.0,
    retries: int = 3,
    backoff_seconds: float = 0.5,
    client: httpx.Client | None = None,
) -> dict[str, Any]:
    """Run `query` and return the response's `data`.

    Transport errors, timeouts and HTTP 429/5xx are retried `retries` times with exponential backoff;
    GraphQL errors (a 200 with `errors`) and other 4xx are not, and raise `GraphQLAPIError` at once.
    Without `headers`, the token (argument or GRAPHQL_API_TOKEN) is sent as `Authorization: Bearer ...`.
    """
    url = url or env("GRAPHQL_API_URL")
    request_headers = {"Content-Type": "application/json", **(headers or {})}
    token = token if token is not None else env("GRAPHQL_API_TOKEN")
    if token and not any(key.lower() == "authorization" for key in request_headers):
        request_headers["Authorization"] = f"Bearer {token}"
    payload = {"query": query, "variables": dict(variables or {})}
    safe_url = url_for_messages(url)

    own_client = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = http.post(url, json=payload, headers=request_headers, timeout=timeout)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                if attempt > retries:
                    raise GraphQLAPIError(
                        f"GraphQL API at {safe_url} unreachable after {attempt} attempts: {problem}"
                    ) from None
                _wait(attempt, backoff_seconds, safe_url, problem)
                continue
            if response.status_code in RETRY_STATUS or response.status_code >= 500:
                if attempt > retries:
                    raise GraphQLAPIError(
                        f"GraphQL API at {safe_url} answered HTTP {response.status_code} after {attempt} attempts",
                        status_code=response.status_code,
                    )
                _wait(attempt, backoff_seconds, safe_url, f"HTTP {response.status_code}")
                continue
            return _parse(response, safe_url)
    finally:
        if own_client:
            http.close()


def _parse(response: httpx.Response, safe_url: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        messages = "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
        raise GraphQLAPIError(
            f"GraphQL API at {safe_url} returned errors: {messages}",
            errors=[e if isinstance(e, dict) else {"message": str(e)} for e in errors],
            status_code=response.status_code,
        )
    if response.status_code >= 400:
        raise GraphQLAPIError(
            f"GraphQL API at {safe_url} answered HTTP {response.status_code}", status_code=response.status_code
        )
    if not isinstance(body, dict) or "data" not in body:
        raise GraphQLAPIError(
            f"GraphQL API at {safe_url} sent no `data` in its response", status_code=response.status_code
        )
    return body["data"] or {}


def _wait(attempt: int, backoff_seconds: float, safe_url: str, problem: str) -> None:
    delay = backoff_seconds * 2 ** (attempt - 1)
    log.warning("GraphQL call to %s failed (%s); retry %d in %.1fs", safe_url, problem, attempt, delay)
    time.sleep(delay)


def url_for_messages(url: str) -> str:
    """The URL without user info or query string, for messages."""
    try:
        parsed = httpx.URL(url)
    except Exception:
        return "<invalid url>"
    return str(parsed.copy_with(userinfo=b"", query=None, fragment=None))
