"""daglab run/status/logs/terminate/reload through the real console script against the fixture webserver."""

from __future__ import annotations

import json
import socket
import subprocess
import time

import pytest

from daglab.client import DagsterClient

pytestmark = pytest.mark.e2e

LOCATION = "daglab_fixture_defs.py"
FAILURE_TEXT = "daglab-fixture-boom: the warehouse is on fire"
BAD_CONFIG = "ops: {load: {config: {rows: not-a-number, ratio: also-bad}}}"


@pytest.fixture(scope="module")
def config_run(webserver, daglab_cli, tmp_path_factory) -> dict:
    """One successful run of config_job with a JSON run-config file and tags (shared by several tests)."""
    config = tmp_path_factory.mktemp("cfg") / "run.json"
    config.write_text(json.dumps({"ops": {"load": {"config": {"rows": 5, "table": "t_daglab"}}}}))
    result = daglab_cli(
        "run",
        "--job",
        "config_job",
        "--run-config",
        str(config),
        "--tags",
        "origin=daglab-test",
        "--json",
        "--url",
        webserver.url,
    )
    assert result.code == 0, result.output
    return result.json()


def test_daglab_run_success(config_run, client) -> None:
    assert config_run["status"] == "SUCCESS" and config_run["steps_succeeded"] == 1
    assert config_run["target"]["location"] == LOCATION
    run = client.run(config_run["run_id"])
    assert run.status == "SUCCESS" and run.tags["origin"] == "daglab-test"


def test_daglab_run_assets_by_pattern_with_progress(webserver, daglab_cli) -> None:
    result = daglab_cli("run", "--asset-pattern", "orders/*", "--location", LOCATION, "--url", webserver.url)
    assert result.code == 0, result.output
    assert "launched run" in result.stderr
    assert "2 succeeded" in result.stderr, "progress line shows step counts"
    assert "elapsed" in result.stderr
    assert "SUCCESS (2 steps succeeded, 0 failed)" in result.stdout


def test_daglab_run_failure_exit_1_shows_error(webserver, daglab_cli) -> None:
    result = daglab_cli("run", "--job", "failing_job", "--url", webserver.url)
    assert result.code == 1, result.output
    assert "FAILURE" in result.stdout
    assert FAILURE_TEXT in result.stderr


def test_daglab_run_invalid_config_lists_every_error(webserver, daglab_cli, client) -> None:
    before = len(client.execute("{ runsOrError { ... on Runs { results { runId } } } }")["runsOrError"]["results"])
    result = daglab_cli("run", "--job", "config_job", "--config-yaml", BAD_CONFIG, "--url", webserver.url)
    assert result.code == 2, result.output
    assert "3 error(s)" in result.stderr
    for path in ("ops.load.config.rows", "ops.load.config.ratio", "ops.load.config.table"):
        assert path in result.stderr
    assert "MISSING_REQUIRED_FIELD" in result.stderr and "RUNTIME_TYPE_MISMATCH" in result.stderr
    after = len(client.execute("{ runsOrError { ... on Runs { results { runId } } } }")["runsOrError"]["results"])
    assert after == before, "an invalid config must not create a run"


def test_daglab_validate_only(webserver, daglab_inproc) -> None:
    ok = daglab_inproc(
        "run",
        "--job",
        "config_job",
        "--validate-only",
        "--config-yaml",
        "ops: {load: {config: {rows: 1, table: t}}}",
        "--url",
        webserver.url,
    )
    assert ok.code == 0, ok.output
    assert "valid" in ok.stdout
    bad = daglab_inproc(
        "run", "--job", "config_job", "--validate-only", "--json", "--config-yaml", BAD_CONFIG, "--url", webserver.url
    )
    assert bad.code == 2
    payload = bad.json()
    assert payload["valid"] is False
    assert sorted(e["path"] for e in payload["errors"]) == [
        "ops.load.config.ratio",
        "ops.load.config.rows",
        "ops.load.config.table",
    ]


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (["--job", "confg_job"], "config_job"),
        (["--job", "ok_job", "--location", "daglab_fixture"], LOCATION),
        (["--asset-selection", "orders/raww"], "orders/raw"),
        (["--job", "ok_job", "--repo", "__repo__"], "__repository__"),
    ],
)
def test_daglab_unknown_names_exit_2_with_closest(webserver, daglab_cli, args: list[str], suggestion: str) -> None:
    result = daglab_cli("run", *args, "--url", webserver.url)
    assert result.code == 2, result.output
    assert "did you mean" in result.stderr and suggestion in result.stderr
    assert "Traceback" not in result.output


def test_daglab_timeout_cancels_the_run(webserver, daglab_cli, client) -> None:
    result = daglab_cli(
        "run", "--job", "slow_job", "--timeout", "4", "--cancel-on-timeout", "--json", "--url", webserver.url
    )
    assert result.code == 4, result.output
    payload = result.json()
    assert payload["timed_out"] is True and payload["status"] == "CANCELED"
    assert client.run(payload["run_id"]).status == "CANCELED"


def test_daglab_status_logs_follow_terminate(webserver, daglab_cli, daglab_inproc, daglab_exe, client) -> None:
    launched = daglab_cli("run", "--job", "slow_job", "--no-wait", "--json", "--url", webserver.url)
    assert launched.code == 0, launched.output
    run_id = launched.json()["run_id"]
    follower = subprocess.Popen(
        [str(daglab_exe), "logs", run_id, "--follow", "--poll-interval", "0.5", "--url", webserver.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while client.run(run_id).steps_running == 0:
            assert time.monotonic() < deadline, "slow_job never started its step"
            time.sleep(0.5)
        status = daglab_inproc("status", run_id, "--url", webserver.url)
        assert status.code == 0 and "STARTED" in status.stdout and "nap" in status.stdout
        stopped = daglab_cli("terminate", run_id, "--url", webserver.url)
        assert stopped.code == 0, stopped.output
        out, err = follower.communicate(timeout=90)
    finally:
        follower.kill()
    assert follower.returncode == 0, err
    assert "RUN_START" in out and "RUN_CANCELED" in out, "--follow prints events until the run has ended"
    final = daglab_inproc("status", run_id, "--json", "--url", webserver.url)
    assert final.json()["status"] == "CANCELED"


def test_daglab_logs_and_status_of_finished_run(config_run, webserver, daglab_inproc) -> None:
    run_id = config_run["run_id"]
    logs = daglab_inproc("logs", run_id, "--url", webserver.url)
    assert logs.code == 0
    assert "loading 5 rows into t_daglab" in logs.stdout and "RUN_SUCCESS" in logs.stdout
    lines = daglab_inproc("logs", run_id, "--json", "--url", webserver.url).stdout.splitlines()
    events = [json.loads(line) for line in lines]
    assert "RUN_SUCCESS" in [e["event_type"] for e in events]
    with DagsterClient(url=webserver.url) as client:
        first = client.logs(run_id, limit=3)
        rest = client.logs(run_id, cursor=first.cursor)
        assert len(first.events) == 3 and first.has_more
        assert [e.message for e in first.events + rest.events] == [e["message"] for e in events]
    status = daglab_inproc("status", run_id, "--json", "--url", webserver.url)
    assert status.json()["status"] == "SUCCESS" and status.json()["job_name"] == "config_job"


def test_daglab_unknown_run_exit_2(webserver, daglab_cli, daglab_inproc) -> None:
    for command in ("status", "logs", "terminate"):
        runner = daglab_cli if command == "status" else daglab_inproc
        result = runner(command, "00000000-0000-0000-0000-000000000000", "--url", webserver.url)
        assert result.code == 2, (command, result.output)
        assert "unknown run" in result.stderr


def test_daglab_reload(webserver, daglab_cli, daglab_inproc) -> None:
    result = daglab_inproc("reload", LOCATION, "--url", webserver.url)
    assert result.code == 0, result.output
    assert f"reloaded location {LOCATION}: LOADED" in result.stdout
    unknown = daglab_cli("reload", "daglab_fixture", "--url", webserver.url)
    assert unknown.code == 2 and LOCATION in unknown.stderr


def test_daglab_connection_error_exit_3(daglab_cli) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for args in (["discover"], ["run", "--job", "ok_job"], ["status", "x"]):
        result = daglab_cli(*args, "--url", closed, "--max-retries", "1")
        assert result.code == 3, (args, result.output)
        assert "cannot reach Dagster" in result.stderr and "2 attempt(s)" in result.stderr


def test_runs_lists_finished_runs_by_status_and_location(webserver, config_run) -> None:
    with DagsterClient(url=webserver.url) as client:
        succeeded = client.runs(statuses=["SUCCESS"])
        assert config_run["run_id"] in {run.run_id for run in succeeded}
        assert {run.status for run in succeeded} == {"SUCCESS"}
        ours = next(run for run in succeeded if run.run_id == config_run["run_id"])
        assert ours.location == LOCATION and ours.job_name == "config_job" and ours.tags["origin"] == "daglab-test"
        assert client.runs(statuses=["SUCCESS"], location="no_such_location") == []
        assert config_run["run_id"] not in {run.run_id for run in client.runs(statuses=["QUEUED", "STARTED"])}


def test_reload_workspace_returns_every_location_loaded(webserver) -> None:
    with DagsterClient(url=webserver.url) as client:
        locations = client.reload_workspace()
    assert [(loc.name, loc.load_status, loc.error) for loc in locations] == [(LOCATION, "LOADED", None)]
