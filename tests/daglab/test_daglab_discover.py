"""daglab discover against the real fixture webserver: assets, jobs, locations, filters, patterns, JSON, paging."""

from __future__ import annotations

import asyncio

import pytest

from daglab.client import AsyncDagsterClient, DagsterClient
from daglab.filters import EntityFilter

pytestmark = pytest.mark.e2e

LOCATION = "daglab_fixture_defs.py"


def test_daglab_discover_all_json(webserver, daglab_cli) -> None:
    result = daglab_cli("discover", "--json", "--url", webserver.url)
    assert result.code == 0, result.output
    data = result.json()
    assert [(loc["name"], loc["load_status"], loc["error"]) for loc in data["locations"]] == [
        (LOCATION, "LOADED", None)
    ]
    assert data["repositories"][0]["location"] == LOCATION
    jobs = {j["name"]: j for j in data["jobs"]}
    assert set(jobs) == {"ok_job", "failing_job", "config_job", "slow_job", "orders_job"}, "implicit jobs are hidden"
    assert jobs["ok_job"]["tags"] == {"team": "platform"} and jobs["ok_job"]["description"] == "Always succeeds"
    assets = {a["path"]: a for a in data["assets"]}
    assert set(assets) == {"orders/raw", "orders/clean", "customers/profiles"}
    clean = assets["orders/clean"]
    assert clean["group"] == "sales" and clean["deps"] == ["orders/raw"] and clean["description"] == "Cleaned orders"
    assert sorted(clean["kinds"]) == ["postgres", "python"]
    assert clean["tags"]["tier"] == "gold" and "orders_job" in clean["job_names"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--pattern", "orders/*"], {"orders/raw", "orders/clean"}),
        (["--pattern", "*/profiles"], {"customers/profiles"}),
        (["--tags", "domain=sales,tier=gold"], {"orders/clean"}),
        (["--groups", "crm"], {"customers/profiles"}),
        (["--groups", "crm,sales", "--pattern", "*/r*"], {"orders/raw"}),
    ],
)
def test_daglab_discover_asset_filters(webserver, daglab_inproc, args: list[str], expected: set[str]) -> None:
    result = daglab_inproc("discover", "--filter", "assets", "--json", *args, "--dagster-port", str(webserver.port))
    assert result.code == 0, result.output
    data = result.json()
    assert set(data) == {"assets"}
    assert {a["path"] for a in data["assets"]} == expected


def test_daglab_discover_jobs_by_tag_and_pattern(webserver, daglab_inproc) -> None:
    result = daglab_inproc("discover", "--filter", "jobs", "--tags", "team=platform", "--json", "--url", webserver.url)
    assert {j["name"] for j in result.json()["jobs"]} == {"ok_job", "failing_job"}
    result = daglab_inproc(
        "discover", "--filter", "jobs", "--pattern", "*_job", "--tags", "team=data", "--json", "--url", webserver.url
    )
    assert [j["name"] for j in result.json()["jobs"]] == ["config_job"]


def test_daglab_discover_tables(webserver, daglab_inproc) -> None:
    result = daglab_inproc("discover", "--url", webserver.url)
    assert result.code == 0, result.output
    for needle in (
        "Code locations",
        LOCATION,
        "LOADED",
        "Jobs (5)",
        "config_job",
        "Assets (3)",
        "orders/clean",
        "customers/profiles",
        "domain=sales, tier=gold",
        "Cleaned orders",
    ):
        assert needle in result.stdout
    result = daglab_inproc("discover", "--filter", "repos", "--url", webserver.url)
    assert "Repositories" in result.stdout and "Assets" not in result.stdout


def test_daglab_assets_are_paged(webserver) -> None:
    with DagsterClient(url=webserver.url) as client:
        paged = client.assets(page_size=1)
        assert [a.path for a in paged] == ["customers/profiles", "orders/clean", "orders/raw"]
        assert [a.path for a in client.assets(EntityFilter(groups=["sales"]), page_size=2)] == [
            "orders/clean",
            "orders/raw",
        ]


def test_daglab_async_client_discovers_the_same(webserver) -> None:
    async def discover() -> tuple[list[str], list[str], str]:
        async with AsyncDagsterClient(url=webserver.url) as client:
            jobs, assets = await asyncio.gather(client.jobs(), client.assets())
            return [j.name for j in jobs], [a.path for a in assets], await client.version()

    jobs, assets, version = asyncio.run(discover())
    with DagsterClient(url=webserver.url) as client:
        assert jobs == [j.name for j in client.jobs()]
        assert assets == [a.path for a in client.assets()]
        assert version == client.version()
