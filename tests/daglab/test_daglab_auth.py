"""Auth headers really arrive (checked through a recording loopback proxy) and secrets are never printed."""

from __future__ import annotations

import base64
import json

import pytest

from daglab.auth import AuthConfig
from daglab.client import DagsterClient
from daglab.errors import DagsterGraphQLError

pytestmark = pytest.mark.e2e

SECRET = "tok-daglab-9f8e7d6c5b4a3210"
BASIC = "Basic " + base64.b64encode(f"ann:{SECRET}".encode()).decode()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DAGLAB_TOKEN": SECRET}, {"authorization": f"Bearer {SECRET}"}),
        ({"DAGLAB_USERNAME": "ann", "DAGLAB_PASSWORD": SECRET}, {"authorization": BASIC}),
        (
            {
                "DAGLAB_AUTH_TYPE": "custom",
                "DAGLAB_AUTH_HEADER": "X-Api-Key",
                "DAGLAB_TOKEN": SECRET,
                "DAGLAB_HEADERS": "X-Team=data",
            },
            {"x-api-key": SECRET, "x-team": "data"},
        ),
        ({"DAGSTER_CLOUD_API_TOKEN": SECRET}, {"dagster-cloud-api-token": SECRET}),
    ],
    ids=["bearer", "basic", "custom", "dagster_cloud"],
)
def test_daglab_auth_headers_arrive_and_stay_secret(webserver, make_proxy, daglab_cli, env, expected) -> None:
    proxy = make_proxy(webserver.url)
    result = daglab_cli("discover", "--filter", "assets", "--json", "--verbose", "--url", proxy.url, extra_env=env)
    assert result.code == 0, result.output
    assert len(result.json()["assets"]) == 3
    assert proxy.requests, "nothing went through the proxy"
    for request in proxy.requests:
        headers = {k.lower(): v for k, v in request.headers.items()}
        for name, value in expected.items():
            assert headers.get(name) == value
    assert "values hidden" in result.stderr, "--verbose describes the auth"
    for secret in (SECRET, BASIC, base64.b64encode(f"ann:{SECRET}".encode()).decode()):
        assert secret not in result.output


def test_daglab_auth_token_option_is_bearer_and_hidden(webserver, make_proxy, daglab_cli) -> None:
    proxy = make_proxy(webserver.url)
    result = daglab_cli("discover", "--filter", "locations", "--verbose", "--auth-token", SECRET, "--url", proxy.url)
    assert result.code == 0, result.output
    assert all(r.headers.get("Authorization") == f"Bearer {SECRET}" for r in proxy.requests)
    assert SECRET not in result.output


def test_daglab_secret_scrubbed_from_server_errors(make_proxy, daglab_cli) -> None:
    echo = json.dumps({"data": None, "errors": [{"message": f"bad token {SECRET} for user"}]})
    proxy = make_proxy(None, fixed_answer=(500, echo))
    result = daglab_cli(
        "discover", "--verbose", "--max-retries", "0", "--url", proxy.url, extra_env={"DAGLAB_TOKEN": SECRET}
    )
    assert result.code == 1, result.output
    assert "bad token *** for user" in result.stderr
    assert SECRET not in result.output
    client = DagsterClient(url=proxy.url, auth=AuthConfig(type="bearer", token=SECRET), max_retries=0)
    with pytest.raises(DagsterGraphQLError) as info:
        client.locations()
    assert SECRET not in str(info.value) and SECRET not in repr(info.value) and SECRET not in repr(client)
    client.close()


def test_daglab_refused_credentials_exit_3(make_proxy, daglab_cli) -> None:
    proxy = make_proxy(None, fixed_answer=(401, '{"detail": "unauthorized"}'))
    result = daglab_cli("discover", "--url", proxy.url, extra_env={"DAGLAB_TOKEN": SECRET})
    assert result.code == 3, result.output
    assert "refused the credentials" in result.stderr and SECRET not in result.output
