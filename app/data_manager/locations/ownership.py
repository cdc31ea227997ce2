"""What belongs to a location besides its package: connectors, dbt files, and the tables it writes.

Used by `locations remove --purge`. The tables come from the location's own components: every sync
component declared in its YAML says which tables it writes (`owned_tables()`), and the location's dbt
models write one relation each in the schema named by their folder (`staging`, `reporting`). Purge
drops exactly those, so nothing is registered twice and no prefix is guessed.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from psycopg import sql
from pydantic import ValidationError

from data_manager.dbt.layout import dbt_paths_for_location
from data_manager.errors import UserError
from data_manager.ingestion.naming import OwnedTable
from data_manager.paths import ProjectPaths

COMPONENTS_PACKAGE = "data_manager.components."


@dataclass(frozen=True, order=True)
class DbtRelation:
    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class OwnedResources:
    connector_files: list[Path] = field(default_factory=list)
    dbt_paths: list[Path] = field(default_factory=list)
    tables: list[OwnedTable] = field(default_factory=list)
    dbt_relations: list[DbtRelation] = field(default_factory=list)

    def describe(self, paths: ProjectPaths) -> list[str]:
        lines = [str(p.relative_to(paths.home)) for p in [*self.connector_files, *self.dbt_paths]]
        lines += [f"table {table}" for table in self.tables]
        lines += [f"dbt model {relation}" for relation in self.dbt_relations]
        return lines


def _documents(path: Path) -> list[Any]:
    try:
        return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    except yaml.YAMLError:
        return []  # not a component file dg could load either: it declares nothing


def _component_tables(path: Path, document: Any) -> list[OwnedTable]:
    """The tables one `type: data_manager.components.X` document writes; [] for other components."""
    if not isinstance(document, dict) or not str(document.get("type", "")).startswith(COMPONENTS_PACKAGE):
        return []
    module_name, _, class_name = str(document["type"]).rpartition(".")
    component = getattr(importlib.import_module(module_name), class_name, None)
    if component is None or not hasattr(component, "owned_tables"):
        return []
    try:
        instance = component.model_validate(document.get("attributes") or {})
        return list(instance.owned_tables())
    except (ValidationError, UserError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        raise UserError(f"cannot tell which tables {path} writes: {reason}") from None


def _connector_files(paths: ProjectPaths, connector: str) -> list[Path]:
    main = paths.connectors_dir / f"{connector}.yaml"
    if not main.exists():
        return []
    found = [main]
    manifest = (yaml.safe_load(main.read_text()) or {}).get("manifest")
    if isinstance(manifest, str) and (paths.connectors_dir / manifest).exists():
        found.append(paths.connectors_dir / manifest)
    return found


def _dbt_relations(dbt_paths: list[Path]) -> Iterator[DbtRelation]:
    """Each model file writes one relation named after it, in the schema named by its top folder."""
    for folder in dbt_paths:
        for model in sorted(folder.rglob("*.sql")):
            yield DbtRelation(folder.parent.name, model.stem.lower())


def owned_resources(paths: ProjectPaths, name: str) -> OwnedResources:
    dbt_paths = [p for p in dbt_paths_for_location(paths.dbt_dir, name) if p.exists()]
    owned = OwnedResources(dbt_paths=dbt_paths, dbt_relations=sorted(set(_dbt_relations(dbt_paths))))
    location_dir = paths.location_dir(name)
    connectors: set[Path] = set()
    tables: set[OwnedTable] = set()
    for component_file in sorted(location_dir.rglob("*.yaml")) if location_dir.exists() else []:
        for document in _documents(component_file):
            attributes = document.get("attributes") if isinstance(document, dict) else None
            connector = attributes.get("connector") if isinstance(attributes, dict) else None
            if isinstance(connector, str):
                connectors.update(_connector_files(paths, connector))
            tables.update(_component_tables(component_file, document))
    owned.connector_files = sorted(connectors)
    owned.tables = sorted(tables)
    return owned


def drop_owned_tables(owned: OwnedResources) -> list[str]:
    """Drop the location's dbt relations, then its sync tables and their sync-state rows; names of those dropped."""
    from data_manager.ingestion.airbyte.caches import cache_spec

    by_cache: dict[str, list[tuple[str, str]]] = {}
    for relation in owned.dbt_relations:
        by_cache.setdefault("default", []).append((relation.schema, relation.name))
    for table in owned.tables:
        by_cache.setdefault(table.cache, []).append((table.schema, table.name))
    dropped: list[str] = []
    for cache, relations in by_cache.items():
        dropped += _drop_relations(cache_spec(cache).settings, relations)
    return dropped


def _drop_relations(settings: Any, relations: list[tuple[str, str]]) -> list[str]:
    """Views first (they may read the tables), then tables; the syncs' bookkeeping rows go with them."""
    from data_manager.db import connect
    from data_manager.ingestion.airbyte.cache_tables import STATE_TABLE, STREAMS_TABLE
    from data_manager.ingestion.sql.engine import STATE_TABLE as SQL_STATE_TABLE

    schemas = [schema for schema, _ in relations]
    names = [name for _, name in relations]
    with connect(settings) as conn, conn.transaction():
        found = conn.execute(
            "SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN unnest(%s::text[], %s::text[]) AS o(schema_name, rel_name)"
            " ON o.schema_name = n.nspname AND o.rel_name = c.relname"
            " WHERE c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1, 2",
            (schemas, names),
        ).fetchall()
        for kinds, statement in ((("v",), "DROP VIEW"), (("m",), "DROP MATERIALIZED VIEW"), (("r", "p"), "DROP TABLE")):
            targets = [sql.Identifier(schema, name) for schema, name, kind in found if kind in kinds]
            if targets:
                conn.execute(sql.SQL(statement + " {}").format(sql.SQL(", ").join(targets)))
        bookkeeping = conn.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = ANY(%s) AND c.relname = ANY(%s) AND c.relkind IN ('r', 'p')",
            (sorted(set(schemas)), [STATE_TABLE, STREAMS_TABLE, SQL_STATE_TABLE]),
        ).fetchall()
        for schema, table in bookkeeping:
            in_schema = [name for s, name in relations if s == schema]
            conn.execute(
                sql.SQL("DELETE FROM {} WHERE table_name = ANY(%s)").format(sql.Identifier(schema, table)),
                (in_schema,),
            )
    return [f"{schema}.{name}" for schema, name, _ in found]
