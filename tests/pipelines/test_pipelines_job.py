"""The universal_pipeline job in process on a real Postgres: both failure policies, run metadata, the sensor."""

from __future__ import annotations

import dagster as dg
import psycopg
import pytest
from dagster_code.universal_pipelines.sensor import pipeline_runs_sensor

from dagster_code.universal_pipelines import defs
from data_manager.pipelines.event_store import EventStore
from data_manager.pipelines.models import ArtifactIn, EntityIn, PipelineIn, TemplateIn
from data_manager.pipelines.runs import InvalidPipeline, build_run_config
from data_manager.pipelines.store import PipelineStore
from pipelines.sample_documents import PRODUCTS, product_page

TEMPLATE = {
    "name": "product pages",
    "extraction_strategy": "dom_selection",
    "fields": [
        {"name": "sku", "selector": ".sku::attr(data-sku)", "required": True},
        {"name": "name", "selector": "h1", "transforms": [{"kind": "trim"}]},
        {"name": "price", "field_type": "decimal", "selector": ".price", "transforms": [{"kind": "parse_number"}]},
        {"name": "stock", "field_type": "integer", "selector": "#stock"},
    ],
}
ENTITY = {
    "name": "products",
    "table_name": "products",
    "columns": [
        {"name": "sku", "type": "text", "nullable": False},
        {"name": "name", "type": "text"},
        {"name": "price", "type": "decimal"},
        {"name": "stock", "type": "integer"},
    ],
    "unique_fields": ["sku"],
}


def make_pipeline(store: PipelineStore, failure_policy: str, broken: bool = False, root=None, **changes) -> int:
    template = store.create_template(TemplateIn(**TEMPLATE))
    entity = store.create_entity(EntityIn(**ENTITY))
    artifacts = [
        store.create_artifact(ArtifactIn(name=f"{p['sku']}.html", media_type="text/html"), product_page(p))
        for p in PRODUCTS
    ]
    ids = [a.id for a in artifacts]
    if broken:
        bad = dict(PRODUCTS[0], sku="", name="no sku")  # a required field missing
        ids.insert(
            1, store.create_artifact(ArtifactIn(name="nosku.html", media_type="text/html"), product_page(bad)).id
        )
        ids.append(
            store.create_artifact(
                ArtifactIn(name="gone.html", media_type="text/html", location=str(root / "gone.html"))
            ).id
        )
    pipeline = store.create_pipeline(
        PipelineIn(name="products", template_id=template.id, entity_id=entity.id, artifact_ids=ids,
                   load_strategy="upsert", failure_policy=failure_policy, **changes)
    )  # fmt: skip
    return pipeline.id


def execute(store: PipelineStore, pipeline_id: int, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    job = defs.resolve_job_def("universal_pipeline")
    run_config = build_run_config(store, store.get_pipeline(pipeline_id))
    return job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False)


def entity_rows(store: PipelineStore) -> list[tuple]:
    with psycopg.connect(**store.settings.connect_kwargs()) as conn:
        return conn.execute("SELECT sku, name, price, stock FROM entities.products ORDER BY sku").fetchall()


def sync(instance: dg.DagsterInstance) -> None:
    context = dg.build_sensor_context(instance=instance, resources={"pipelines_db": defs.resources["pipelines_db"]})
    pipeline_runs_sensor(context)


def test_success_loads_records_logs_fetches_and_syncs_pipeline_runs(store: PipelineStore) -> None:
    pipeline_id = make_pipeline(store, "fail_fast")
    with dg.instance_for_test() as instance:
        result = execute(store, pipeline_id, instance)
        assert result.success
        sync(instance)
    assert [row[0] for row in entity_rows(store)] == ["A-1", "B-2", "C-3"]
    run = store.get_run(result.run_id, pipeline_id)
    assert (run.status, run.records_extracted, run.records_loaded, run.records_failed) == ("SUCCESS", 3, 3, 0)
    assert run.started_at and run.completed_at and run.error is None
    fetched = EventStore(store.settings).get_unprocessed_or_failed_events("pipeline_artifact_fetched")
    assert sorted(e.event_data["artifact_id"] for e in fetched if e.event_data["run_id"] == result.run_id) == [1, 2, 3]


def test_fail_fast_stops_at_the_first_bad_artifact_and_loads_nothing(store: PipelineStore, artifact_root) -> None:
    pipeline_id = make_pipeline(store, "fail_fast", broken=True, root=artifact_root)
    with dg.instance_for_test() as instance:
        result = execute(store, pipeline_id, instance)
        assert not result.success
        sync(instance)
    run = store.get_run(result.run_id)
    assert run.status == "FAILURE"
    assert "extract_chunk[chunk_0]: artifact 4 (nosku.html) record 1: field sku: required but not found" in run.error
    assert run.records_loaded == 0  # counted, none loaded: what the API answers before the sensor too
    with psycopg.connect(**store.settings.connect_kwargs()) as conn:
        assert conn.execute("SELECT count(*) FROM entities.products").fetchone()[0] == 0


def test_continue_loads_the_good_records_and_names_the_failed_artifacts(store: PipelineStore, artifact_root) -> None:
    pipeline_id = make_pipeline(store, "continue", broken=True, root=artifact_root)
    with dg.instance_for_test() as instance:
        result = execute(store, pipeline_id, instance)
        assert result.success
        sync(instance)
    assert [row[0] for row in entity_rows(store)] == ["A-1", "B-2", "C-3"]
    run = store.get_run(result.run_id)
    assert (run.status, run.records_extracted, run.records_loaded, run.records_failed) == ("SUCCESS", 3, 3, 2)
    assert [(entry["artifact"], entry["errors"]) for entry in run.logs] == [
        ("nosku.html", ["field sku: required but not found"]),
        ("gone.html", [f"gone.html: file {artifact_root / 'gone.html'} does not exist"]),
    ]
    output = [
        e for e in result.all_events if e.event_type_value == "STEP_OUTPUT" and e.step_key == "extract_chunk[chunk_0]"
    ]
    metadata = output[0].event_specific_data.metadata
    assert metadata["artifacts_failed"].value == 2 and "seconds_dom_selection" in metadata


def test_a_disabled_artifact_is_skipped_counted_with_its_reason(store: PipelineStore, monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from data_manager.api.app import create_app

    monkeypatch.setenv("DAGSTER_WEBSERVER_URL", "http://127.0.0.1:9")  # finished runs need no Dagster
    api = TestClient(create_app(token=""))
    pipeline_id = make_pipeline(store, "fail_fast")
    first = api.get("/api/artifacts").json()[0]
    disabled = api.put(f"/api/artifacts/{first['id']}", json={"name": first["name"], "media_type": "text/html",
                                                               "enabled": False})  # fmt: skip
    assert disabled.status_code == 200 and disabled.json()["enabled"] is False
    with dg.instance_for_test() as instance:
        result = execute(store, pipeline_id, instance)
        assert result.success
        sync(instance)
    assert [row[0] for row in entity_rows(store)] == ["B-2", "C-3"]
    run = api.get(f"/api/pipelines/{pipeline_id}/runs/{result.run_id}").json()
    assert (run["status"], run["records_loaded"]) == ("SUCCESS", 2)
    assert run["counts"]["artifacts_skipped"] == 1 and run["counts"]["skipped_by_kind"] == {"artifact disabled": 0}
    load = [e for e in result.all_events if e.event_type_value == "STEP_OUTPUT" and e.step_key == "load_data"]
    skipped = load[0].event_specific_data.metadata["skipped"].value
    assert [(s["artifact_id"], s["reason"]) for s in skipped] == [(first["id"], "artifact disabled")]


def test_a_run_of_only_disabled_artifacts_is_refused_or_fails_in_one_line(store: PipelineStore) -> None:
    """Launch refuses it; disabled after launch, the run fails (a replace of nothing would empty the table)."""
    pipeline_id = make_pipeline(store, "fail_fast")
    pipeline = store.get_pipeline(pipeline_id)
    run_config = build_run_config(store, pipeline)
    for artifact in store.artifacts(pipeline.artifact_ids):
        store.update_artifact(
            artifact.id, ArtifactIn(name=artifact.name, media_type=artifact.media_type, enabled=False)
        )
    with pytest.raises(InvalidPipeline) as caught:
        build_run_config(store, pipeline)
    assert caught.value.errors == ["artifact_ids: every artifact is disabled (a run skips disabled ones)"]
    with dg.instance_for_test() as instance:
        result = defs.resolve_job_def("universal_pipeline").execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False
        )
        assert not result.success
        sync(instance)
    run = store.get_run(result.run_id)
    assert run.status == "FAILURE" and "every artifact of the run is disabled (3 skipped): nothing loaded" in run.error


def test_invalid_pipeline_lists_every_error(store: PipelineStore) -> None:
    """A template stored before templates were checked (or edited in SQL) is refused again at launch."""
    template = store.create_template(
        TemplateIn(name="bad", extraction_strategy="json_path", fields=[{"name": "colour", "selector": "$.c"}],
                   enabled=False)
    )  # fmt: skip
    with psycopg.connect(**store.settings.connect_kwargs()) as conn:
        conn.execute("UPDATE universal_pipelines.template_fields SET selector = '$.[[' WHERE name = 'colour'")
    entity = store.create_entity(EntityIn(**{**ENTITY, "unique_fields": []}))
    pipeline = store.create_pipeline(
        PipelineIn(name="bad", template_id=template.id, entity_id=entity.id, load_strategy="upsert", enabled=False)
    )
    with pytest.raises(InvalidPipeline) as caught:
        build_run_config(store, pipeline)
    assert caught.value.errors == [
        "enabled: the pipeline is disabled",
        f"template_id: template {template.id} (bad) is disabled",
        "artifact_ids: the pipeline has no artifacts",
        "fields.colour.selector: invalid JSONPath '$.[[': Parse error at 1:3 near token [ ([)",
        "fields.colour: entity products has no column colour",
        "entity.columns.sku: NOT NULL but no template field fills it",
        "load_strategy: upsert needs unique_fields on entity products",
    ]


def test_run_config_matches_the_job_config_schema(store: PipelineStore) -> None:
    """The builder in data_manager and the typed Configs of the job are one contract."""
    pipeline_id = make_pipeline(store, "continue")
    run_config = build_run_config(store, store.get_pipeline(pipeline_id))
    job = defs.resolve_job_def("universal_pipeline")
    from data_manager.dagster_private_api import ResolvedRunConfig

    assert ResolvedRunConfig.build(job, run_config).ops["plan_chunks"].config["pipeline_id"] == pipeline_id


def test_the_job_checks_its_config_with_the_template_models(store: PipelineStore) -> None:
    """The run config carries TemplateField/Expect as JSON and the Literals of schema.py: one spelling each."""
    from dagster_code.universal_pipelines.job import ExtractionConfig, plan_chunks

    from data_manager.dagster_private_api import ResolvedRunConfig

    run_config = build_run_config(store, store.get_pipeline(make_pipeline(store, "continue")))
    job = defs.resolve_job_def("universal_pipeline")
    extraction = run_config["ops"]["plan_chunks"]["config"]
    with pytest.raises(dg.DagsterInvalidConfigError, match="extraction_strategy"):
        ResolvedRunConfig.build(job, {**run_config, "ops": {**run_config["ops"], "plan_chunks": {"config": {**extraction, "extraction_strategy": "guess"}}}})  # fmt: skip
    chunks = list(plan_chunks(dg.build_op_context(), ExtractionConfig(**extraction)))
    assert [f["name"] for f in chunks[0].value["fields"]] == [f["name"] for f in extraction["field_mappings"]]
    broken = dict(extraction, field_mappings=[dict(extraction["field_mappings"][0], field_type="colour")])
    with pytest.raises(dg.Failure, match=r"^field_mappings: field_type: Input should be "):
        list(plan_chunks(dg.build_op_context(), ExtractionConfig(**broken)))
