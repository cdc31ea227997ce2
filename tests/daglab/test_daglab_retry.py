"""Retries through a loopback server that drops connections or answers 5xx/429; a launch is never sent twice."""

from __future__ import annotations

import asyncio
import re
import socket

import pytest

from daglab.client import AsyncDagsterClient, DagsterClient
from daglab.errors import DagsterConnectionError
from daglab.models import LaunchTarget

pytestmark = pytest.mark.e2e

LOCATION = "daglab_fixture_defs.py"
OK_JOB = LaunchTarget(job_name="ok_job", repository="__repository__", location=LOCATION)


def test_daglab_retries_through_dropped_connections(webserver, make_proxy) -> None:
    proxy = make_proxy(webserver.url, drop_first=2)
    with DagsterClient(url=proxy.url, max_retries=3) as client:
        assert [loc.name for loc in client.locations()] == [LOCATION]
    assert [r.outcome for r in proxy.requests] == ["dropped", "dropped", "forwarded"]
    assert len({r.body for r in proxy.requests}) == 1, "the same query was resent"


def test_daglab_retries_on_5xx_and_429(webserver, make_proxy) -> None:
    proxy = make_proxy(webserver.url, statuses_first=[503, 429, 502])
    with DagsterClient(url=proxy.url, max_retries=3) as client:
        assert client.version()
    assert [r.outcome for r in proxy.requests] == ["status:503", "status:429", "status:502", "forwarded"]


def test_daglab_async_client_retries_too(webserver, make_proxy) -> None:
    proxy = make_proxy(webserver.url, drop_first=2)

    async def locations() -> list[str]:
        async with AsyncDagsterClient(url=proxy.url, max_retries=3) as client:
            return [loc.name for loc in await client.locations()]

    assert asyncio.run(locations()) == [LOCATION]
    assert [r.outcome for r in proxy.requests] == ["dropped", "dropped", "forwarded"]


def test_daglab_gives_up_after_max_retries(make_proxy) -> None:
    proxy = make_proxy(None, drop_first=10)
    with DagsterClient(url=proxy.url, max_retries=2) as client, pytest.raises(DagsterConnectionError) as info:
        client.locations()
    assert "3 attempt(s)" in str(info.value)
    assert len(proxy.requests) == 3


def test_daglab_cli_retries_through_drops(webserver, make_proxy, daglab_cli) -> None:
    proxy = make_proxy(webserver.url, drop_first=2)
    result = daglab_cli("discover", "--filter", "jobs", "--json", "--url", proxy.url)
    assert result.code == 0, result.output
    assert "ok_job" in {j["name"] for j in result.json()["jobs"]}
    assert [r.outcome for r in proxy.requests][:3] == ["dropped", "dropped", "forwarded"]


def test_daglab_launch_is_never_sent_twice(webserver, make_proxy) -> None:
    dropping = make_proxy(webserver.url, drop_first=1, drop_if=lambda body: "DaglabLaunchRun" in body)
    with DagsterClient(url=dropping.url, max_retries=3) as client, pytest.raises(DagsterConnectionError) as info:
        client.launch(OK_JOB)
    assert "never launched twice" in str(info.value)
    assert len(dropping.bodies("DaglabLaunchRun")) == 1
    failing = make_proxy(webserver.url, statuses_first=[503])
    with DagsterClient(url=failing.url, max_retries=3) as client, pytest.raises(DagsterConnectionError):
        client.launch(OK_JOB)
    assert len(failing.requests) == 1


def test_daglab_launch_retried_when_never_sent() -> None:
    """Connection refused means the request never left: retrying a launch is then safe."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with DagsterClient("127.0.0.1", port, max_retries=2) as client, pytest.raises(DagsterConnectionError) as info:
        client.launch(OK_JOB)
    assert "after 3 attempt(s)" in str(info.value)


JOB_ERA = re.compile(r"\b(launchRun|runOrError|logsForRun|terminateRun|jobName|jobs|isAssetJob)\b")


def test_daglab_falls_back_to_pipeline_era_api(webserver, make_proxy, daglab_cli) -> None:
    """A fake old server (the proxy rejects job-era fields with a GraphQL validation error, like Dagster does for
    unknown fields) still launches, reports and logs runs through launchPipelineExecution/pipelineName."""
    old = make_proxy(webserver.url, reject_pattern=JOB_ERA)
    with DagsterClient(url=old.url) as client:
        run_id = client.launch(OK_JOB)
        assert client.features.legacy is True
        run = client.wait(run_id, timeout=180, poll_interval=0.5)
        assert run.status == "SUCCESS" and run.job_name == "ok_job"
        messages = [e.message for e in client.all_logs(run_id)]
        assert "daglab fixture ok" in messages
    launches = [r for r in old.requests if "mutation DaglabLaunch" in r.body]
    assert [r.outcome for r in launches] == ["rejected", "forwarded"]
    assert "launchPipelineExecution" in launches[1].body and "pipelineName" in launches[1].body
    with DagsterClient(url=webserver.url) as direct:
        assert direct.run(run_id).status == "SUCCESS", "exactly that run exists on the real server"
    result = daglab_cli("status", run_id, "--json", "--url", old.url)
    assert result.code == 0 and result.json()["status"] == "SUCCESS"
    jobs = daglab_cli("discover", "--filter", "jobs", "--json", "--url", old.url)
    assert "ok_job" in {j["name"] for j in jobs.json()["jobs"]}
    assert all(r.outcome in ("rejected", "forwarded") for r in old.requests)
    assert any(r.outcome == "rejected" for r in old.requests[len(launches) :])
