"""Pure parts of lineage edits and primitives: the cycle test, the post-processing rule edits, edge origins,
refusals before any write, and cron checks with Dagster's own validation."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from data_manager.api.app import create_app
from data_manager.designer.lineage import classify_edges, edge_problems
from data_manager.designer.lineage_rules import (
    add_drawn_dep,
    cycle_through,
    drawn_deps,
    remove_drawn_dep,
)
from data_manager.designer.primitives import cron_problems, next_runs
from data_manager.designer.problems import CONFLICT, INVALID, NOT_FOUND
from data_manager.designer.yaml_files import dump, load_documents

DEFS_YAML = "# kept comment\ntype: data_manager.components.SqlTableSyncComponent\nattributes:\n  tables: [orders]\n"


def _asset(key: str, deps: list[str] | None = None, component: str | None = None, kinds: list[str] | None = None):
    return {"key": key, "deps": deps or [], "component": component, "kinds": kinds or []}


def test_cycle_through_finds_the_closing_path() -> None:
    deps_of = {"b": ["a"], "c": ["b"]}  # a -> b -> c
    assert cycle_through(deps_of, "c", "a") == ["a", "b", "c", "a"]
    assert cycle_through(deps_of, "a", "c") is None
    assert cycle_through(deps_of, "x", "x") == ["x", "x"]
    assert cycle_through({}, "a", "b") is None


def test_add_and_remove_drawn_deps_keep_comments_and_own_deps() -> None:
    (document,) = load_documents(DEFS_YAML)
    add_drawn_dep(document, "cache/orders", "cache/customers", own_deps=["raw/orders"])
    add_drawn_dep(document, "cache/orders", "cache/products", own_deps=["raw/orders"])
    text = dump(document)
    assert text.startswith("# kept comment\n")
    (reloaded,) = load_documents(text)
    rule = reloaded["post_processing"]["assets"][0]
    assert rule["target"] == 'key:"cache/orders"'
    assert list(rule["attributes"]["deps"]) == ["raw/orders", "cache/customers", "cache/products"]
    assert drawn_deps(reloaded) == {"cache/orders": ["cache/customers", "cache/products"]}

    assert remove_drawn_dep(reloaded, "cache/orders", "cache/customers") is True
    assert list(reloaded["post_processing"]["assets"][0]["attributes"]["deps"]) == ["raw/orders", "cache/products"]
    assert remove_drawn_dep(reloaded, "cache/orders", "raw/orders") is False  # own, not drawn
    assert remove_drawn_dep(reloaded, "cache/orders", "cache/products") is True
    assert "post_processing" not in reloaded and dump(reloaded) == DEFS_YAML


def test_rules_written_by_hand_are_left_alone() -> None:
    text = DEFS_YAML + "post_processing:\n  assets:\n    - target: '*'\n      attributes: {tags: {team: data}}\n"
    (document,) = load_documents(text)
    add_drawn_dep(document, "cache/orders", "cache/customers", own_deps=[])
    assert len(document["post_processing"]["assets"]) == 2
    assert remove_drawn_dep(document, "cache/orders", "cache/customers")
    assert dump(document) == text


def test_edge_origins() -> None:
    assets = [
        _asset("cache/a", component="a_sync"),
        _asset("cache/b", ["cache/a"], component="b_sync"),
        _asset("staging/b", ["cache/b"], kinds=["dbt", "postgres"]),
        _asset("cache/c", ["x/own"], component="c_sync"),
    ]
    origins = {(e["source"], e["target"]): e["origin"] for e in classify_edges(assets, {"cache/b": ["cache/a"]})}
    assert origins == {
        ("cache/a", "cache/b"): "drawn",
        ("cache/b", "staging/b"): "dbt",
        ("x/own", "cache/c"): "declared",
    }


def test_edge_refusals_list_every_problem() -> None:
    assets = [
        _asset("cache/a", component="a_sync"),
        _asset("cache/a2", component="a_sync"),
        _asset("cache/b", ["cache/a"], component="b_sync"),
        _asset("staging/b", ["cache/b"], kinds=["dbt"]),
    ]
    assert edge_problems(assets, {}, "cache/b", "staging/b")[1] == CONFLICT  # dbt's own, not twice
    problems, kind = edge_problems(assets, {}, "cache/nope", "cache/gone")
    assert kind == NOT_FOUND and [p.path for p in problems] == [("source",), ("target",)]
    problems, kind = edge_problems(assets, {}, "cache/a", "cache/a")
    assert kind == INVALID and "itself" in problems[0].message
    problems, _ = edge_problems(assets, {}, "cache/b", "cache/a")
    assert ["cycle: cache/a → cache/b → cache/a" in p.message for p in problems] == [True]
    problems, _ = edge_problems(assets, {}, "cache/a", "cache/a2")
    assert "different components" in problems[0].message
    problems, _ = edge_problems(assets, {}, "cache/a", "staging/b")
    assert "neither produced by a component" in problems[0].message
    assert edge_problems(assets, {}, "cache/a2", "cache/b") == ([], INVALID)


def test_cron_checks_and_next_runs() -> None:
    assert cron_problems("0 6 * * 1-5", "Europe/Berlin") == []
    problems = cron_problems("61 6 * * *", "Mars/Olympus")
    assert [p.path for p in problems] == [("cron",), ("timezone",)]
    assert cron_problems("0 0 31 2 *", "UTC")  # Dagster refuses the 31st of February
    monday = datetime(2026, 1, 5, 12, tzinfo=UTC).timestamp()
    assert next_runs("0 6 * * 1-5", "UTC", after=monday) == [
        "2026-01-06T06:00:00+00:00",
        "2026-01-07T06:00:00+00:00",
        "2026-01-08T06:00:00+00:00",
        "2026-01-09T06:00:00+00:00",
        "2026-01-12T06:00:00+00:00",
    ]


def test_cron_route_names_every_problem_in_words() -> None:
    client = TestClient(create_app(token=""), raise_server_exceptions=False)
    good = client.post("/api/designer/cron", json={"cron": " 0 6 * * 1-5 ", "timezone": "Europe/Berlin"})
    assert good.status_code == 200 and good.json()["cron"] == "0 6 * * 1-5" and len(good.json()["next_runs"]) == 5
    bad = client.post("/api/designer/cron", json={"cron": "every day", "timezone": "Nowhere"})
    assert bad.status_code == 422
    assert [error["path"] for error in bad.json()["errors"]] == [["cron"], ["timezone"]]
    assert all("Traceback" not in error["message"] for error in bad.json()["errors"])
