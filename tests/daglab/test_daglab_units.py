"""Fast checks without a server: auth headers and secrecy, parsing, URLs, backoff, notebook structure, usage errors."""

from __future__ import annotations

import base64
import json

import pytest

from daglab.auth import AuthConfig, AuthType
from daglab.client import DagsterClient, build_base_url
from daglab.config import load_run_config, parse_run_config
from daglab.errors import ConfigErrorDetail, NotFoundError, RunConfigValidationError, UsageError, closest_names
from daglab.filters import parse_asset_selection, parse_pairs
from daglab.notebook import NotebookSpec, build_notebook
from daglab.transport import RetryPolicy

SECRET = "s3cr3t-token-value-42"


def test_daglab_auth_headers_per_type() -> None:
    assert AuthConfig(type="bearer", token=SECRET).headers() == {"Authorization": f"Bearer {SECRET}"}
    basic = AuthConfig(type="basic", username="ann", password=SECRET).headers()["Authorization"]
    assert base64.b64decode(basic.removeprefix("Basic ")).decode() == f"ann:{SECRET}"
    custom = AuthConfig(type="custom", token=SECRET, header_name="X-Api-Key", custom_headers={"X-Team": "data"})
    assert custom.headers() == {"X-Api-Key": SECRET, "X-Team": "data"}
    assert AuthConfig(type="dagster_cloud", token=SECRET).headers() == {"Dagster-Cloud-Api-Token": SECRET}


def test_daglab_auth_from_env() -> None:
    assert AuthConfig.from_env({}) is None
    assert AuthConfig.from_env({"DAGLAB_TOKEN": SECRET}).type is AuthType.bearer
    basic = AuthConfig.from_env({"DAGLAB_USERNAME": "ann", "DAGLAB_PASSWORD": SECRET})
    assert basic.type is AuthType.basic
    cloud = AuthConfig.from_env({"DAGSTER_CLOUD_API_TOKEN": SECRET})
    assert cloud.headers() == {"Dagster-Cloud-Api-Token": SECRET}
    custom = AuthConfig.from_env({"DAGLAB_TOKEN": SECRET, "DAGLAB_AUTH_HEADER": "X-Key", "DAGLAB_HEADERS": "A=1,B=2"})
    assert custom.headers() == {"X-Key": SECRET, "A": "1", "B": "2"}
    assert AuthConfig.from_env({"DAGLAB_HEADERS": '{"X-Org": "acme"}'}).headers() == {"X-Org": "acme"}


def test_daglab_secrets_never_in_repr_dump_or_errors() -> None:
    auth = AuthConfig(type="basic", username="ann", password=SECRET, custom_headers={"X-Key": SECRET})
    client = DagsterClient(url="http://127.0.0.1:1", auth=auth)
    for text in (repr(auth), str(auth), auth.model_dump_json(), repr(client), auth.describe()):
        assert SECRET not in text
    with pytest.raises(UsageError) as info:
        AuthConfig.from_config({"type": "basic", "password": SECRET})
    assert SECRET not in str(info.value) and "username" in str(info.value)
    client.close()


def test_daglab_closest_names_and_errors() -> None:
    assert closest_names("confg_job", ["config_job", "slow_job", "other"])[0] == "config_job"
    error = NotFoundError("job", "confg_job", known=["config_job", "ok_job"])
    assert "did you mean: config_job" in str(error)
    details = [
        ConfigErrorDetail("ops.a.config.x", "MISSING_REQUIRED_FIELD", "missing"),
        ConfigErrorDetail("ops.b", "R", "m"),
    ]
    message = str(RunConfigValidationError("job", details))
    assert "ops.a.config.x" in message and "ops.b" in message and "2 error(s)" in message


def test_daglab_parsing(tmp_path) -> None:
    assert parse_pairs("a=1, b=x=y") == {"a": "1", "b": "x=y"}
    with pytest.raises(UsageError, match="'nope'"):
        parse_pairs("a=1,nope")
    assert parse_asset_selection("orders/raw, orders/clean") == [["orders", "raw"], ["orders", "clean"]]
    with pytest.raises(UsageError):
        parse_asset_selection(" , ")
    assert parse_run_config("ops: {a: {config: {x: 1}}}", "s") == {"ops": {"a": {"config": {"x": 1}}}}
    with pytest.raises(UsageError, match="mapping"):
        parse_run_config("- 1", "s")
    (tmp_path / "c.json").write_text(json.dumps({"ops": {}}))
    assert load_run_config(tmp_path / "c.json") == {"ops": {}}
    (tmp_path / "bad.yaml").write_text("ops: [1\n")
    with pytest.raises(UsageError, match="not valid YAML"):
        load_run_config(tmp_path / "bad.yaml")


def test_daglab_urls() -> None:
    assert build_base_url("h", 3001) == "http://h:3001"
    assert build_base_url(url="https://dagster.example.com/prefix/graphql") == "https://dagster.example.com/prefix"
    assert DagsterClient(url="http://h:3000/dagster/").endpoint == "http://h:3000/dagster/graphql"
    with pytest.raises(UsageError):
        build_base_url(url="h:3000")


def test_daglab_backoff_grows_with_jitter() -> None:
    policy = RetryPolicy(max_retries=5, base_delay=0.1, max_delay=2.0)
    delays = [[policy.delay(a) for _ in range(50)] for a in range(6)]
    for attempt, values in enumerate(delays):
        ceiling = min(2.0, 0.1 * 2**attempt)
        assert all(ceiling / 2 <= v <= ceiling for v in values)
    assert len(set(delays[3])) > 1, "no jitter"
    assert policy.delay(0, retry_after=1.5) == 1.5


def test_daglab_notebook_structure() -> None:
    notebook = build_notebook(NotebookSpec(url="http://h:1", assets=[["orders", "raw"]], run_config={"a": 1}))
    source = "\n".join(c.source for c in notebook.cells)
    for needle in ("dl.configure", "dl.discover_assets", "dl.run_assets", "dl.wait_for_run", "dl.get_run_logs"):
        assert needle in source
    with pytest.raises(ValueError):
        build_notebook(NotebookSpec(url="http://h:1"))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "--job", "a", "--asset-pattern", "x/*"], "exactly one of"),
        (["run"], "exactly one of"),
        (["run", "--job", "a", "--config-yaml", "ops: [1"], "not valid YAML"),
        (["run", "--job", "a", "--timeout", "-1"], "--timeout"),
        (["discover", "--tags", "broken"], "'broken'"),
        (["discover", "--filter", "nothing"], "nothing"),
        (["notebook", "-o", "x.ipynb"], "exactly one of"),
    ],
)
def test_daglab_cli_usage_errors_exit_2(daglab_cli, args: list[str], needle: str) -> None:
    result = daglab_cli(*args, "--url", "http://127.0.0.1:9") if args[0] != "notebook" else daglab_cli(*args)
    assert result.code == 2, result.output
    assert needle in result.output
    assert "Traceback" not in result.output


def test_daglab_help_documents_exit_codes(daglab_cli) -> None:
    for args in ([], ["run"], ["discover"]):
        result = daglab_cli(*args, "--help")
        assert result.code == 0
        text = " ".join(result.stdout.split())
        assert "3 connection error" in text and "4 timeout" in text


def test_daglab_never_imports_dagster() -> None:
    """daglab is a light client: importing every module must not pull in dagster."""
    import subprocess
    import sys

    code = (
        "import sys, daglab, daglab.cli, daglab.session, daglab.notebook\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'dagster_graphql'))\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_run_statuses_are_dagsters_and_spelled_once() -> None:
    """daglab's status sets match Dagster's enum; no other module writes its own copy."""
    import re
    from pathlib import Path

    import dagster as dg

    from daglab.models import ACTIVE_STATUSES, FINISHED_STATUSES, RUN_STATUSES

    assert set(RUN_STATUSES) == {status.value for status in dg.DagsterRunStatus}
    assert {s.value for s in (dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE,
                                                   dg.DagsterRunStatus.CANCELED)} == FINISHED_STATUSES  # fmt: skip
    assert "QUEUED" in ACTIVE_STATUSES and not FINISHED_STATUSES & set(ACTIVE_STATUSES)
    root = Path(__file__).resolve().parents[2]
    copy = re.compile(r"""["']FAILURE["'],\s*["']CANCELED["']""")
    copies = [
        str(path.relative_to(root))
        for folder in ("app", "daglab/src", "scripts")
        for path in (root / folder).rglob("*.py")
        if copy.search(path.read_text()) and path.name != "models.py"
    ]
    assert not copies, f"run statuses spelled outside daglab.models: {copies}"
