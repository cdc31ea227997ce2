"""The platform API's frame: routers, one error shape, bearer token, body limit, bind policy, no CORS."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel

from data_manager.api.app import create_app
from data_manager.api.readiness import wait_until_healthy
from data_manager.api.security import is_loopback
from data_manager.process_groups import free_port, stop_group


class _Body(BaseModel):
    name: str
    count: int


def _client(token: str = "", max_body_bytes: int = 1024) -> TestClient:
    app = create_app(token=token, max_body_bytes=max_body_bytes)
    probe = APIRouter()

    @probe.post("/api/probe")
    def _probe(body: _Body) -> dict[str, str]:
        return {"name": body.name}

    @probe.get("/api/boom")
    def _boom() -> None:
        raise RuntimeError("secret detail that must not leak")

    app.include_router(probe)
    return TestClient(app, raise_server_exceptions=False)


def test_openapi_is_served_and_lists_routes() -> None:
    response = _client().get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/health" in response.json()["paths"]


def test_validation_errors_list_every_error() -> None:
    response = _client().post("/api/probe", json={"count": "many"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {tuple(error["path"]) for error in errors} == {("body", "name"), ("body", "count")}
    assert all(error["message"] for error in errors)


def test_unknown_route_and_unexpected_errors_have_the_same_shape_without_traceback() -> None:
    client = _client()
    assert client.get("/api/nowhere").json() == {"errors": [{"message": "Not Found"}]}
    response = client.get("/api/boom")
    assert response.status_code == 500
    assert "secret detail" not in response.text and "Traceback" not in response.text
    assert response.json()["errors"][0]["message"].startswith("internal error")


def test_large_bodies_are_refused_declared_or_chunked() -> None:
    client = _client(max_body_bytes=1024)
    big = b'{"name": "' + b"x" * 4096 + b'", "count": 1}'
    assert client.post("/api/probe", content=big, headers={"content-type": "application/json"}).status_code == 413

    def chunks():
        yield big[:2000]
        yield big[2000:]

    response = client.post("/api/probe", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert "larger than" in response.json()["errors"][0]["message"]


def test_token_is_required_as_bearer_except_for_health() -> None:
    client = _client(token="s3cret")
    assert client.get("/api/openapi.json").status_code == 401
    assert client.get("/api/openapi.json", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/openapi.json", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/api/health").json() == {"status": "ok"}


def test_token_cookie_stands_in_for_the_header_for_event_sources() -> None:
    """The designer keeps the token in a cookie too: a browser's EventSource cannot send an Authorization header."""
    client = _client(token="s3/cret")
    assert client.get("/api/openapi.json", headers={"Cookie": "platform_api_token=s3%2Fcret"}).status_code == 200
    assert client.get("/api/openapi.json", headers={"Cookie": "platform_api_token=wrong"}).status_code == 401
    assert client.get("/api/openapi.json", headers={"Cookie": "other=s3%2Fcret; bad cookie=="}).status_code == 401
    # a wrong bearer header is not rescued by a right cookie
    headers = {"Authorization": "Bearer wrong", "Cookie": "platform_api_token=s3%2Fcret"}
    assert client.get("/api/openapi.json", headers=headers).status_code == 401


def test_a_right_bearer_header_is_answered_with_the_token_cookie() -> None:
    """The API sets its own cookie (HttpOnly, only for /api/, same site only); no page script writes it."""
    client = _client(token="s3/cret")
    answered = client.get("/api/openapi.json", headers={"Authorization": "Bearer s3/cret"})
    assert answered.headers["set-cookie"] == "platform_api_token=s3%2Fcret; Path=/api/; SameSite=Strict; HttpOnly"
    assert client.cookies.get("platform_api_token") == "s3%2Fcret"
    assert client.get("/api/openapi.json").status_code == 200  # the cookie alone, as an EventSource sends it
    again = client.get("/api/openapi.json", headers={"Authorization": "Bearer s3/cret"})
    assert "set-cookie" not in again.headers  # the browser has it already
    refused = _client(token="s3/cret").get("/api/openapi.json", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401 and "set-cookie" not in refused.headers
    assert "set-cookie" not in _client().get("/api/openapi.json").headers  # no token configured, no cookie


def test_no_cors_headers_by_default() -> None:
    response = _client().options(
        "/api/health", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in {key.lower() for key in response.headers}


@pytest.mark.parametrize(
    ("host", "loopback"), [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False)]
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def _api_env(**extra: str) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if key != "PLATFORM_API_TOKEN"}
    return {**environ, **extra}


def test_cli_refuses_a_public_bind_without_token() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "data_manager.cli", "api", "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=_api_env(),
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "PLATFORM_API_TOKEN" in result.stderr


def test_cli_serves_on_the_given_port_and_requires_the_token_when_set() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "data_manager.cli", "api", "--port", str(port)],
        env=_api_env(PLATFORM_API_TOKEN="tok"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # stopped as a group: the API's dg fork server too
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", timeout_s=60, process=process)
        health = httpx.get(f"http://127.0.0.1:{port}/api/health")
        assert health.json() == {"status": "ok"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/openapi.json").status_code == 401
        authorized = httpx.get(f"http://127.0.0.1:{port}/api/openapi.json", headers={"Authorization": "Bearer tok"})
        assert authorized.status_code == 200
    finally:
        stop_group(process, grace_s=30)
