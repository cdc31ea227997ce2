"""HTTP transport for GraphQL: one retry/decision core, driven by a thin sync loop and a thin async loop.

Retries use exponential backoff with full jitter on connection errors, HTTP 5xx and 429. GraphQL validation
errors are never retried. A launch ("unsafe") request is only retried when it provably never left this machine
(the connection could not be opened), so a run is never launched twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from daglab import __version__
from daglab.auth import AuthConfig
from daglab.errors import DagsterConnectionError, DagsterGraphQLError, GraphQLValidationError

log = logging.getLogger("daglab")

# Failures raised before any byte of the request was written: safe to retry even for a launch.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_OPERATION = re.compile(r"^\s*(?:query|mutation)\s+(\w+)", re.MULTILINE)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to back off; ``max_retries`` counts retries after the first attempt."""

    max_retries: int = 3
    base_delay: float = 0.2
    max_delay: float = 10.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Full-jitter exponential backoff, never shorter than a server's Retry-After."""
        ceiling = min(self.max_delay, self.base_delay * (2**attempt))
        jittered = random.uniform(ceiling / 2, ceiling)
        return min(self.max_delay, max(jittered, retry_after or 0.0))


@dataclass(frozen=True)
class _Retry:
    delay: float


class TransportCore:
    """Builds requests and decides, for each outcome, whether to return, retry or raise."""

    def __init__(self, endpoint: str, auth: AuthConfig | None, timeout: float, policy: RetryPolicy) -> None:
        self.endpoint = endpoint
        self.auth = auth
        self.timeout = timeout
        self.policy = policy
        self._secrets = auth.secret_values() if auth else []

    def client_kwargs(self) -> dict[str, Any]:
        """Settings shared by httpx.Client and httpx.AsyncClient (pool, timeouts, default headers)."""
        headers = {"User-Agent": f"daglab/{__version__}", "Accept": "application/json"}
        headers.update(self.auth.headers() if self.auth else {})
        limits = httpx.Limits(max_connections=20, max_keepalive_connections=10)
        return {"headers": headers, "timeout": httpx.Timeout(self.timeout), "limits": limits, "follow_redirects": True}

    def payload(self, document: str, variables: Mapping[str, Any] | None) -> dict[str, Any]:
        match = _OPERATION.search(document)
        body: dict[str, Any] = {"query": document, "variables": dict(variables or {})}
        if match:
            body["operationName"] = match.group(1)
        return body

    def scrub(self, text: str) -> str:
        """Remove every secret value from a text that might be shown to the user."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def log_attempt(self, body: Mapping[str, Any], attempt: int) -> None:
        if log.isEnabledFor(logging.DEBUG):
            auth = self.auth.describe() if self.auth else "no auth"
            op = body.get("operationName", "?")
            log.debug(self.scrub(f"POST {self.endpoint} operation={op} attempt={attempt + 1} ({auth})"))

    def on_exception(self, exc: httpx.HTTPError, attempt: int, unsafe: bool) -> _Retry:
        """Retry a transport failure, or raise DagsterConnectionError when it must not or may not be retried."""
        reason = self.scrub(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        if unsafe and not isinstance(exc, _NOT_SENT):
            raise DagsterConnectionError(
                f"connection to {self.endpoint} failed after the launch request was sent ({reason}); "
                "not retried so the run is never launched twice: check the run list before launching again"
            ) from None
        if attempt >= self.policy.max_retries:
            raise DagsterConnectionError(
                f"cannot reach Dagster at {self.endpoint} after {attempt + 1} attempt(s): {reason}"
            ) from None
        delay = self.policy.delay(attempt)
        log.debug("retrying in %.2fs after %s", delay, reason)
        return _Retry(delay)

    def on_response(self, response: httpx.Response, attempt: int, unsafe: bool) -> dict[str, Any] | _Retry:
        """Return ``data`` of a good answer, a retry decision, or raise the matching typed error."""
        log.debug("HTTP %s from %s", response.status_code, self.endpoint)
        body = _json_or_none(response)
        errors = body.get("errors") if isinstance(body, dict) else None
        status = response.status_code
        if status in _RETRY_STATUS:
            if not unsafe and attempt < self.policy.max_retries:
                delay = self.policy.delay(attempt, _retry_after(response))
                log.debug("retrying in %.2fs after HTTP %s", delay, status)
                return _Retry(delay)
            if errors:
                raise DagsterGraphQLError(self._errors_text(errors, status), status_code=status)
            note = " (a launch is never retried)" if unsafe else f" after {attempt + 1} attempt(s)"
            raise DagsterConnectionError(f"Dagster at {self.endpoint} answered HTTP {status}{note}")
        if status in (401, 403):
            raise DagsterConnectionError(f"Dagster at {self.endpoint} refused the credentials (HTTP {status})")
        if not isinstance(body, dict):
            raise DagsterConnectionError(
                f"{self.endpoint} did not answer with GraphQL JSON (HTTP {status}); check the URL and path prefix"
            )
        if errors:
            text = self._errors_text(errors, status)
            if status == 400 or body.get("data") is None:
                raise GraphQLValidationError(text, status_code=status)
            raise DagsterGraphQLError(text, status_code=status)
        data = body.get("data")
        if not isinstance(data, dict):
            raise DagsterGraphQLError(f"server answered HTTP {status} without data", status_code=status)
        return data

    def _errors_text(self, errors: Any, status: int) -> str:
        if isinstance(errors, list):
            messages = [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors]
        else:
            messages = [str(errors)]
        return self.scrub(f"GraphQL error (HTTP {status}): " + "; ".join(messages))


class SyncTransport:
    """Blocking transport over one pooled httpx.Client."""

    def __init__(self, core: TransportCore) -> None:
        self.core = core
        self._client = httpx.Client(**core.client_kwargs())

    def execute(self, document: str, variables: Mapping[str, Any] | None = None, *, unsafe: bool = False) -> dict:
        body = self.core.payload(document, variables)
        attempt = 0
        while True:
            self.core.log_attempt(body, attempt)
            try:
                response = self._client.post(self.core.endpoint, json=body)
            except httpx.HTTPError as exc:
                outcome: dict | _Retry = self.core.on_exception(exc, attempt, unsafe)
            else:
                outcome = self.core.on_response(response, attempt, unsafe)
            if not isinstance(outcome, _Retry):
                return outcome
            time.sleep(outcome.delay)
            attempt += 1

    def close(self) -> None:
        self._client.close()


class AsyncTransport:
    """Asyncio transport over one pooled httpx.AsyncClient; same decisions as SyncTransport."""

    def __init__(self, core: TransportCore) -> None:
        self.core = core
        self._client = httpx.AsyncClient(**core.client_kwargs())

    async def execute(self, document: str, variables: Mapping[str, Any] | None = None, *, unsafe: bool = False) -> dict:
        body = self.core.payload(document, variables)
        attempt = 0
        while True:
            self.core.log_attempt(body, attempt)
            try:
                response = await self._client.post(self.core.endpoint, json=body)
            except httpx.HTTPError as exc:
                outcome: dict | _Retry = self.core.on_exception(exc, attempt, unsafe)
            else:
                outcome = self.core.on_response(response, attempt, unsafe)
            if not isinstance(outcome, _Retry):
                return outcome
            await asyncio.sleep(outcome.delay)
            attempt += 1

    async def aclose(self) -> None:
        await self._client.aclose()


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
