"""query_graphql_api against a loopback server: retries, GraphQL errors, and no token leaks."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from data_manager.ingestion.events.graphql_client import GraphQLAPIError, query_graphql_api
from data_manager.process_groups import free_port
from ingestion.airbyte.loopback import LoopbackServer, serve

TOKEN = "tok-very-secret-123"


@pytest.fixture
def flaky_api() -> Iterator[LoopbackServer]:
    """Fails twice with 503, then answers; `{ broken }` queries get GraphQL errors."""

    def handle(request, state: LoopbackServer) -> tuple[int, object]:
        body = json.loads(state.requests[-1]["body"])
        if "broken" in body["query"]:
            return 200, {"errors": [{"message": "field 'broken' not found"}, {"message": "second problem"}]}
        if len(state.requests) <= 2:
            return 503, {"error": "warming up"}
        return 200, {"data": {"users": [{"id": 1}], "echo": body["variables"]}}

    yield from serve(handle)


def test_graphql_client_retries_then_succeeds(flaky_api: LoopbackServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    data = query_graphql_api("{ users { id } }", {"limit": 5}, url=flaky_api.url, token=TOKEN, backoff_seconds=0.01)
    assert data == {"users": [{"id": 1}], "echo": {"limit": 5}}
    assert len(flaky_api.requests) == 3
    assert flaky_api.requests[-1]["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert "retry 1" in caplog.text
    assert TOKEN not in caplog.text


def test_graphql_client_raises_server_errors_without_retry(flaky_api: LoopbackServer) -> None:
    with pytest.raises(GraphQLAPIError) as info:
        query_graphql_api("{ broken }", url=flaky_api.url, token=TOKEN, backoff_seconds=0.01)
    assert "field 'broken' not found; second problem" in str(info.value)
    assert [e["message"] for e in info.value.errors] == ["field 'broken' not found", "second problem"]
    assert TOKEN not in str(info.value)
    assert len(flaky_api.requests) == 1


def test_graphql_client_token_from_env_and_gives_up(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("GRAPHQL_API_TOKEN", TOKEN)
    monkeypatch.setenv("GRAPHQL_API_URL", f"http://user:pw-in-url@127.0.0.1:{free_port()}/v1/graphql?x=1")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(GraphQLAPIError, match=r"unreachable after 3 attempts") as info:
        query_graphql_api("{ users { id } }", retries=2, backoff_seconds=0.01, timeout=2)
    assert "pw-in-url" not in str(info.value) and TOKEN not in str(info.value)
    assert "pw-in-url" not in caplog.text and TOKEN not in caplog.text


def test_graphql_client_http_error_without_graphql_body() -> None:
    def handle(request, state):
        return 401, {"message": "unauthorized"}

    server = serve(handle)
    api = next(server)
    try:
        with pytest.raises(GraphQLAPIError, match="answered HTTP 401") as info:
            query_graphql_api("{ x }", url=api.url, token="", backoff_seconds=0.01)
        assert info.value.status_code == 401
        assert "Authorization" not in api.requests[0]["headers"]
    finally:
        server.close()
