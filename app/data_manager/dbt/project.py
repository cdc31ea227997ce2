"""The dbt project as Dagster sees it, and the per-location dbt asset factory.

Canonical dagster-dbt shape: one `DbtProject` for dbt_models/, a `DbtCliResource`, and
`@dbt_assets(manifest=...)` running `dbt build` and streaming events with row counts.
Loading never runs dbt: the manifest comes from `data-manager dbt prepare` (build time).
"""

import json
import sys
import tempfile
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from data_manager.dbt.layout import dbt_paths_for_location, dbt_project_dir, dbt_select_for_location, manifest_path
from data_manager.errors import UserError
from data_manager.execution.pools import dbt_pool
from data_manager.settings import env

DBT_RESOURCE_KEY = "dbt"


class DbtManifestMissingError(UserError):
    """The prepared manifest is absent: code locations never parse dbt themselves."""


@cache
def dbt_project(project_dir: Path | None = None) -> DbtProject:
    """The platform's dbt project; profiles.yml lives in the project folder and reads the environment."""
    directory = project_dir or dbt_project_dir()
    return DbtProject(project_dir=directory, profiles_dir=directory)


def dbt_executable() -> str:
    """The `dbt` of this Python environment, so code servers started without an activated venv find it."""
    beside_interpreter = Path(sys.executable).with_name("dbt")
    return str(beside_interpreter) if beside_interpreter.is_file() else "dbt"


def dbt_resource(project_dir: Path | None = None) -> DbtCliResource:
    """The `dbt` resource every location with dbt assets binds."""
    return DbtCliResource(project_dir=dbt_project(project_dir), dbt_executable=dbt_executable())


@cache
def load_manifest(path: Path) -> Mapping[str, Any]:
    """The prepared manifest, read once per process; a one-line error when it was never prepared."""
    if not path.is_file():
        raise DbtManifestMissingError(
            f"dbt manifest not found at {path}: run `data-manager dbt prepare` (make dev and the image build do it)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


class LocationDbtTranslator(DagsterDbtTranslator):
    """Models are keyed `[schema, model]` like the sync assets' `[schema, table]`, grouped by location.

    Sources keep dagster-dbt's default, which honours `meta.dagster.asset_key` and so points
    at the sync assets instead of creating orphan source assets.
    """

    def __init__(self, location: str):
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=True))
        self.location = location

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            meta_key = dbt_resource_props.get("config", {}).get("meta", {}).get("dagster", {}).get("asset_key")
            if meta_key:
                return dg.AssetKey(meta_key)
            return dg.AssetKey(
                [dbt_resource_props["schema"], dbt_resource_props["alias"] or dbt_resource_props["name"]]
            )
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_group_name(dbt_resource_props)
        return self.location


def _with_table_metadata(events: Iterator[Any], manifest: Mapping[str, Any]) -> Iterator[Any]:
    """Add the platform's common metadata (rows, schema, table, duration) to each model output."""
    nodes = manifest.get("nodes", {})
    for event in events:
        if isinstance(event, dg.Output | dg.AssetMaterialization):
            metadata = dict(event.metadata or {})
            node = nodes.get(_text(metadata.get("unique_id")), {})
            extra: dict[str, Any] = {}
            if node:
                extra["schema"] = node.get("schema")
                extra["table"] = node.get("alias") or node.get("name")
            rows = metadata.get("dagster/row_count")
            if rows is not None:
                extra["rows"] = getattr(rows, "value", rows)
            duration = metadata.get("Execution Duration")
            if duration is not None:
                extra["duration_s"] = round(float(getattr(duration, "value", duration)), 3)
            merged = {**metadata, **extra}
            event = event.with_metadata(merged) if isinstance(event, dg.Output) else event._replace(metadata=merged)
        yield event


def retarget_manifest(manifest: Mapping[str, Any], database: str) -> Mapping[str, Any]:
    """The manifest with every relation in `database`.

    The manifest is prepared at build time, so it names the build environment's database
    (POSTGRES_DB then); dbt itself builds in the run's database, and dagster-dbt's row counts
    query `relation_name` from the manifest, which must therefore name the run's database too.
    """

    def moved(node: Mapping[str, Any]) -> Mapping[str, Any]:
        old = node.get("database")
        if not old or old == database:
            return node
        relation = node.get("relation_name")
        if relation and relation.startswith(f'"{old}".'):
            relation = f'"{database}".' + relation[len(old) + 3 :]
        return {**node, "database": database, "relation_name": relation}

    return {
        **manifest,
        "nodes": {uid: moved(node) for uid, node in manifest.get("nodes", {}).items()},
        "sources": {uid: moved(node) for uid, node in manifest.get("sources", {}).items()},
    }


def _text(value: Any) -> str:
    return str(getattr(value, "value", value)) if value is not None else ""


def build_dbt_assets(
    name: str,
    select: str | None = None,
    *,
    project_dir: Path | None = None,
    exclude: str | None = None,
) -> dg.AssetsDefinition:
    """dbt models (and their tests, as asset checks) of location `name`.

    `select` defaults to the location's folders, models/{staging,reporting}/<name>/.
    """
    project = dbt_project(project_dir)
    manifest = load_manifest(manifest_path(project.project_dir))
    selection = select or dbt_select_for_location(name)

    @dbt_assets(
        manifest=manifest,
        select=selection,
        exclude=exclude,
        name=f"{name}_dbt_models",
        dagster_dbt_translator=LocationDbtTranslator(name),
        project=project,
        pool=dbt_pool(name),  # two runs never build the same models at once (dbt's tmp relations collide)
    )
    def _location_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
        # Each run's artifacts in a folder of its own that goes with the run: dagster-dbt's default, a new
        # folder under the project's target/ per invocation, would grow without bound.
        with tempfile.TemporaryDirectory(prefix=f"dbt-{context.run_id[:8]}-") as target:
            invocation = dbt.cli(["build"], context=context, target_path=Path(target))
            invocation.manifest = retarget_manifest(invocation.manifest, env("POSTGRES_DB"))
            yield from _with_table_metadata(invocation.stream().fetch_row_counts(), manifest)

    if not _location_dbt_models.keys:
        folders = ", ".join(
            str(p.relative_to(project.project_dir)) for p in dbt_paths_for_location(project.project_dir, name)
        )
        raise UserError(
            f"no dbt models selected for location {name!r} ({selection}): add models under {folders} "
            "and run `data-manager dbt prepare`"
        )
    return _location_dbt_models
