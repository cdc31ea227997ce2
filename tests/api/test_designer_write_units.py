"""Pure parts of the designer's second round, without dg: dg's load failures as problems, schema refusals, YAML
merges below trailing comments, the undo journal, the staged home, dbt lineage files, live status words and the
reload status without a platform."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data_manager.components import AssetSensorComponent, SqlTableSyncComponent
from data_manager.designer import dbt_lineage, live_status, reloads, writes
from data_manager.designer.catalog import ComponentType
from data_manager.designer.dg.output import problems_from_output
from data_manager.designer.instances import attribute_problems
from data_manager.designer.layout import LocationLayout, path_problems
from data_manager.designer.problems import DesignerError
from data_manager.designer.staged_check import StagedResult, locate
from data_manager.designer.staging import staged_home
from data_manager.designer.yaml_files import dump, load_documents, merge_into, plain
from data_manager.locations.registry import CodeLocation
from data_manager.paths import ProjectPaths
from data_manager.process_groups import free_port

TREE = """All component YAML validated successfully.
2026-12-05 10:30:18 +0000 - dagster - ERROR - Validation failed for code location sql_sync:

dagster.components.core.component_tree.ComponentTreeException: Error while loading component ingest/broken[0]:
├── __init__.py (loaded)
├── ingest
│   └── broken
│       └── defs.yaml (SqlTableSyncComponent) (error)

Stack Trace:
  File "/x/app/data_manager/locations/definitions.py", line 50, in defs_folder_definitions
    return dg.load_from_defs_folder(path_within_project=package_dir)

The above exception was caused by the following exception:
pydantic_core._pydantic_core.ValidationError: 2 validation errors for SqlTableSyncComponent
mode
  Input should be 'full' or 'incremental' [type=literal_error, input_value='sometimes', input_type=str]
    For further information visit https://errors.pydantic.dev/2.14/v/literal_error
chunk_rows
  Input should be a valid integer, unable to parse string as an integer [type=int_parsing, input_value='abc']
    For further information visit https://errors.pydantic.dev/2.14/v/int_parsing

Stack Trace:
  File "/x/pydantic/main.py", line 280, in __init__

2026-12-05 10:30:18 +0000 - dagster - ERROR - Validation for 1 code locations failed.
"""

BUILD = """2026-12-05 10:31:32 +0000 - dagster - ERROR - Validation failed for code location sql_sync:

dagster.components.core.component_tree.ComponentTreeException: Error while building definitions for shop_sync[0]:
└── shop_sync (loaded)
    └── defs.yaml (SqlTableSyncComponent) (error)

Stack Trace:
  File "/x/definitions.py", line 69, in location_definitions

The above exception was caused by the following exception:
dagster._core.errors.DagsterInvalidDefinitionError: "my group!" is not a valid asset group name. Group names
must be one or more segments matching ^[A-Za-z0-9_]+$ separated by '/'.

Stack Trace:
  File "/x/sql_table_sync.py", line 120, in build_defs
"""


def _layout(home: Path, name: str = "alpha") -> LocationLayout:
    project = home / "app" / "dagster_code" / name
    package = project / "src" / "dagster_code" / name
    (package / "defs").mkdir(parents=True, exist_ok=True)
    (home / "app" / "dagster_code" / "__init__.py").write_text("")
    (home / "dbt_models" / "models" / "staging" / name).mkdir(parents=True, exist_ok=True)
    (home / "dbt_models" / "dbt_project.yml").write_text("name: x\n")
    (home / "code-locations.json").write_text("{}")
    return LocationLayout(ProjectPaths(home, home / ".data"), CodeLocation(name=name, port=4266), project, package)


def test_a_component_load_failure_lists_every_pydantic_field_of_its_component(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    defs_file = layout.defs_dir / "ingest" / "broken" / "defs.yaml"
    defs_file.parent.mkdir(parents=True)
    defs_file.write_text("type: x.Sync\nattributes:\n  source: mysql\n  mode: sometimes\n  chunk_rows: abc\n")
    problems = locate(problems_from_output(TREE, tmp_path), layout.defs_dir, tmp_path)
    assert [(p.component, p.path, p.line) for p in problems] == [
        ("ingest/broken", ("attributes", "mode"), 4),
        ("ingest/broken", ("attributes", "chunk_rows"), 5),
    ]
    assert problems[0].message == "Input should be 'full' or 'incremental' (got 'sometimes')"
    assert all(p.file == layout.relative(defs_file) for p in problems)


def test_a_build_failure_keeps_its_whole_message_and_component(tmp_path: Path) -> None:
    (problem,) = problems_from_output(BUILD, tmp_path)
    assert problem.component == "shop_sync"
    assert problem.message.startswith('DagsterInvalidDefinitionError: "my group!" is not a valid asset group name.')
    assert problem.message.endswith("separated by '/'.")  # the second line too, not cut to the first


SYNC = ComponentType(
    "data_manager.components.SqlTableSyncComponent", "p", "n", "", "", "",
    {"properties": {"attributes": SqlTableSyncComponent.get_model_cls().model_json_schema()}},
)  # fmt: skip


@pytest.mark.parametrize(
    ("attributes", "field", "words"),
    [
        ({"group_name": "my group!"}, "group_name", "characters that are not allowed"),
        ({"target_schema": "s" * 70}, "target_schema", "at most 63"),
        ({"target_schema": "Bad-Schema"}, "target_schema", "not allowed"),
        ({"chunk_rows": -5}, "chunk_rows", "minimum of 1"),
        ({"mode": "sometimes"}, "mode", "'full-refresh', 'incremental'"),
        ({"reader": "odbc"}, "reader", "'auto', 'pymysql', 'connectorx'"),
    ],
)
def test_the_server_refuses_what_the_form_refuses(attributes: dict, field: str, words: str) -> None:
    problems = attribute_problems(SYNC, {"source": "mysql", "tables": ["a"], **attributes})
    assert [problem.path for problem in problems] == [("attributes", field)]
    assert words in problems[0].message


def test_templates_stay_allowed_where_the_schema_takes_them() -> None:
    templated = {"source": "mysql", "tables": ["a"], "group_name": "{{ env.GROUP }}", "chunk_rows": "{{ env.N }}"}
    assert attribute_problems(SYNC, templated) == []
    sensor = ComponentType(
        "s",
        "p",
        "n",
        "",
        "",
        "",
        {"properties": {"attributes": AssetSensorComponent.get_model_cls().model_json_schema()}},
    )
    bad = attribute_problems(
        sensor, {"sensor_name": "9 x", "asset_key": "a/b", "job_name": "j", "minimum_interval_seconds": 1}
    )
    assert {problem.path for problem in bad} == {
        ("attributes", "sensor_name"),
        ("attributes", "minimum_interval_seconds"),
    }


def test_route_words_are_not_instance_names() -> None:
    assert any("route" in problem for problem in path_problems("ingest/references"))
    assert path_problems("references_sync") == []


@pytest.mark.parametrize(
    "text",
    [
        "type: x\nattributes:\n  source: mysql\n  tables:\n    - a\n# trailing comment at column 0\n",
        "type: x\nattributes:\n  source: mysql\n  tables: [a]\n  # trailing comment\nother: 1\n",
        "type: x\nattributes:\n  source: mysql\n  nested:\n    k: v\n  # trailing\n",
    ],
)
def test_a_key_added_below_a_trailing_comment_lands_inside_the_mapping(text: str) -> None:
    document = load_documents(text)[0]
    new = {**plain(document["attributes"]), "tables": ["a", "b"], "mode": "full"}
    merge_into(document["attributes"], new)
    out = dump(document)
    assert plain(load_documents(out)[0])["attributes"] == new
    comment = next(line for line in text.splitlines() if "trailing" in line)
    assert out.index("mode: full") < out.index(comment), out


@pytest.fixture
def journalled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocationLayout:
    """A fake location whose staged check always passes (dg is tested end to end elsewhere)."""
    monkeypatch.setattr(writes, "staged_check", lambda layout, changes, beside=None: StagedResult([]))
    return _layout(tmp_path)


def test_undo_restores_every_file_byte_for_byte_and_redo_replays(journalled: LocationLayout) -> None:
    layout = journalled
    kept = layout.defs_dir / "a" / "defs.yaml"
    kept.parent.mkdir()
    original = b"# odd spacing kept\ntype:   x\nattributes: {}\r\n"
    kept.write_bytes(original)
    added = layout.defs_dir / "nested" / "b" / "defs.yaml"
    step = writes.apply_change(layout, "delete a, add b", {kept: None, added: b"type: y\n"})
    assert step is not None and not kept.exists() and added.read_bytes() == b"type: y\n"
    assert writes.apply_change(layout, "nothing", {added: b"type: y\n"}) is None  # no change, no step

    undone, files = writes.undo(layout)
    assert undone.id == step.id and set(files) == {layout.relative(kept), layout.relative(added)}
    assert kept.read_bytes() == original and not added.exists() and not (layout.defs_dir / "nested").exists()
    history = writes.open_journal(layout).as_dict(layout.name)  # from disk, as after a page reload
    assert history["can_redo"] and not history["can_undo"] and history["steps"][0]["undone"]

    writes.redo(layout)
    assert not kept.exists() and added.read_bytes() == b"type: y\n"
    added.write_bytes(b"type: z\n")  # changed by someone else
    with pytest.raises(DesignerError) as refused:
        writes.undo(layout)
    assert refused.value.kind == "conflict" and layout.relative(added) in str(refused.value)
    assert added.read_bytes() == b"type: z\n"


def test_a_new_step_drops_the_redo_tail_and_a_pending_step_is_rolled_back(journalled: LocationLayout) -> None:
    layout = journalled
    first = layout.defs_dir / "one.yaml"
    writes.apply_change(layout, "one", {first: b"1"})
    writes.undo(layout)
    writes.apply_change(layout, "two", {first: b"2"})
    journal = writes.open_journal(layout)
    assert [step.label for step in journal.steps] == ["two"] and journal.redo_step is None

    from data_manager.designer.journal import FileImage

    journal.begin("killed half-way", [FileImage(layout.relative(first), b"2", b"3")])
    first.write_bytes(b"3")  # the process died here, before the step was confirmed
    recovered = writes.open_journal(layout)
    assert first.read_bytes() == b"2" and [step.label for step in recovered.steps] == ["two"]


def test_the_staged_home_copies_the_location_and_links_the_rest(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    (tmp_path / "README.md").write_text("readme")
    other = tmp_path / "app" / "dagster_code" / "beta"
    other.mkdir()
    changed = layout.defs_dir / "x" / "defs.yaml"
    gone = layout.defs_dir / "old.yaml"
    gone.write_text("old")
    with staged_home(layout, {changed: b"new", gone: None}) as staged:
        assert staged.staged(changed).read_bytes() == b"new" and not staged.staged(gone).exists()
        assert (staged.home / "README.md").is_symlink() and (staged.home / "app" / "dagster_code" / "beta").is_symlink()
        assert not staged.project_dir.is_symlink() and not staged.dbt_changed
    assert gone.read_text() == "old" and not changed.exists()
    with pytest.raises(ValueError), staged_home(layout, {tmp_path / "README.md": b"x"}):
        pass


def test_dbt_lineage_adds_a_source_with_the_asset_key_and_a_depends_on_line(tmp_path: Path) -> None:
    layout = _layout(tmp_path)
    model = tmp_path / "dbt_models" / "models" / "staging" / "alpha" / "staging_orders.sql"
    model.write_text("select * from {{ source('shop', 'orders') }}\n")
    manifest = {
        "nodes": {"model.x.staging_orders": {
            "resource_type": "model", "schema": "staging", "name": "staging_orders", "alias": "staging_orders",
            "original_file_path": "models/staging/alpha/staging_orders.sql", "config": {},
        }},
        "sources": {"source.x.shop.customers": {
            "source_name": "shop", "name": "customers", "meta": {"dagster": {"asset_key": ["cache", "customers"]}},
        }},
    }  # fmt: skip
    (tmp_path / "dbt_models" / "target").mkdir()
    (tmp_path / "dbt_models" / "target" / "manifest.json").write_text(json.dumps(manifest))
    assert dbt_lineage.model_files(layout) == {"staging/staging_orders": model}

    reused = dbt_lineage.add_changes(layout, "cache/customers", model)
    assert list(reused) == [model]  # the hand-written source names the asset already
    assert (
        reused[model].decode().startswith("-- depends_on: {{ source('shop', 'customers') }} (drawn in the designer)\n")
    )

    changes = dbt_lineage.add_changes(layout, "cache/payments", model)
    sources = dbt_lineage.sources_file(layout)
    document = plain(load_documents(changes[sources].decode())[0])
    assert document["sources"] == [
        {"name": "alpha_designer", "schema": "cache",
         "tables": [{"name": "payments", "meta": {"dagster": {"asset_key": ["cache", "payments"]}}}]}
    ]  # fmt: skip
    for path, content in changes.items():
        path.write_bytes(content)
    (edge,) = dbt_lineage.drawn_edges(layout)
    assert (edge.source, edge.target, edge.dbt_source, edge.dbt_table) == (
        "cache/payments", "staging/staging_orders", "alpha_designer", "payments"
    )  # fmt: skip
    removed = dbt_lineage.remove_changes(layout, [edge])
    assert removed[model] == b"select * from {{ source('shop', 'orders') }}\n" and removed[sources] is None


def test_live_status_says_why_an_asset_is_stale_or_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    node = {
        "assetKey": {"path": ["reporting", "orders"]},
        "opNames": ["orders_op"],
        "staleStatus": "STALE",
        "staleCauses": [
            {"key": {"path": ["reporting", "orders"]}, "category": "DATA", "reason": "has a new dependency materialization",
             "dependency": {"path": ["staging", "orders"]}},
        ],
    }  # fmt: skip
    latest = {
        "latestMaterialization": {"runId": "r1", "timestamp": "1700000000000"},
        "latestRun": {"id": "r1", "status": "SUCCESS"},
    }
    stale = live_status.asset_status(node, latest)
    assert stale["status"] == "stale" and stale["why"] == "staging/orders: has a new dependency materialization"
    assert stale["last_materialization"] == {"at": 1700000000.0, "run_id": "r1"} and stale["state"] == "stale"

    boom = 'DagsterExecutionStepExecutionError: Error occurred while executing op "orders_op":\ncaused by: ValueError: boom'
    monkeypatch.setattr(live_status.webserver, "run_failures", lambda run_id: [("other", "x"), ("orders_op", boom)])
    failed = live_status.asset_status(node, {**latest, "latestRun": {"id": "r2", "status": "FAILURE"}})
    assert failed["status"] == "failed" and failed["error"] == {"step": "orders_op", "message": boom}
    assert failed["why"] == "ValueError: boom" and failed["run_id"] == "r2"
    assert live_status.asset_status(node, {})["status"] == "never"
    running = live_status.asset_status(node, {**latest, "inProgressRunIds": ["r3"]})
    assert (running["status"], running["run_id"]) == ("running", "r3")
    # Dagster's in-progress list lags behind a run that just failed: the run's own status wins.
    lagging = {**latest, "latestRun": {"id": "r2", "status": "FAILURE"}, "inProgressRunIds": ["r2"]}
    assert live_status.asset_status(node, lagging)["status"] == "failed"


def test_the_location_job_is_its_pipeline_else_its_only_job() -> None:
    assert live_status.pipeline_job("sql_sync", ["nightly", "sql_sync_pipeline"]) == "sql_sync_pipeline"
    assert live_status.pipeline_job("universal_pipelines", ["universal_pipeline"]) == "universal_pipeline"
    assert live_status.pipeline_job("x", ["a", "b"]) is None


def test_a_reload_without_a_platform_is_not_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_WEBSERVER_URL", f"http://127.0.0.1:{free_port()}")
    layout = _layout(tmp_path)
    assert reloads.status(layout)["status"] == "idle"
    assert reloads.start(layout)["status"] == "reloading"
    finished = reloads.wait(layout, timeout_s=60)
    assert finished["status"] == "not_running" and "webserver" in finished["error"]
    monkeypatch.setenv("DESIGNER_AUTO_RELOAD", "0")
    assert reloads.after_write(layout) == {**finished, "auto": False}
