"""Dependencies drawn into dbt models, the dagster-dbt way: the upstream asset becomes a dbt source whose
`meta.dagster.asset_key` names it, and the model depends on that source.

    # dbt_models/models/staging/<location>/designer_sources.yml (written by the designer)
    version: 2
    sources:
      - name: <location>_designer
        schema: pyairbyte_cache
        tables:
          - name: shop_orders
            meta: {dagster: {asset_key: [pyairbyte_cache, shop_orders]}}

    -- first line of the model's SQL: dbt records the dependency without changing the query
    -- depends_on: {{ source('<location>_designer', 'shop_orders') }} (drawn in the designer)

A source of the project that already names the asset (a hand-written sources.yml) is used instead of a new one.
Models are found in the dbt manifest (their asset key as `LocationDbtTranslator` gives it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from data_manager.dbt.layout import dbt_paths_for_location, manifest_path
from data_manager.designer import yaml_files
from data_manager.designer.files import walk_files
from data_manager.designer.layout import LocationLayout

SOURCES_FILE = "designer_sources.yml"
DRAWN_LINE = re.compile(r"^-- depends_on: \{\{ source\('([^']+)', '([^']+)'\) \}\} \(drawn in the designer\)\n?$")


def drawn_line(source: str, table: str) -> str:
    return f"-- depends_on: {{{{ source('{source}', '{table}') }}}} (drawn in the designer)\n"


def source_name(layout: LocationLayout) -> str:
    return f"{layout.name}_designer"


def sources_file(layout: LocationLayout) -> Path:
    return dbt_paths_for_location(layout.paths.dbt_dir, layout.name)[0] / SOURCES_FILE


def _manifest(layout: LocationLayout) -> dict[str, Any]:
    try:
        return json.loads(manifest_path(layout.paths.dbt_dir).read_text())
    except (OSError, ValueError):
        return {}


def model_asset_key(node: dict[str, Any]) -> str:
    """A model's asset key as the platform's translator gives it: `meta.dagster.asset_key`, else schema/alias."""
    meta_key = node.get("config", {}).get("meta", {}).get("dagster", {}).get("asset_key")
    if meta_key:
        return "/".join(meta_key)
    return f"{node['schema']}/{node.get('alias') or node['name']}"


def model_files(layout: LocationLayout) -> dict[str, Path]:
    """Asset key -> SQL file of each dbt model in the location's own dbt folders."""
    owned = dbt_paths_for_location(layout.paths.dbt_dir, layout.name)
    found = {}
    for node in _manifest(layout).get("nodes", {}).values():
        if node.get("resource_type") != "model":
            continue
        path = layout.paths.dbt_dir / node["original_file_path"]
        if any(folder in path.parents for folder in owned):
            found[model_asset_key(node)] = path
    return found


def existing_source(layout: LocationLayout, asset_key: str) -> tuple[str, str] | None:
    """(source, table) of a project source whose `meta.dagster.asset_key` is `asset_key`, if one exists."""
    for source in _manifest(layout).get("sources", {}).values():
        meta_key = source.get("meta", {}).get("dagster", {}).get("asset_key")
        if meta_key and "/".join(meta_key) == asset_key:
            return source["source_name"], source["name"]
    return None


@dataclass(frozen=True)
class DrawnDbtEdge:
    source: str  # upstream asset key
    target: str  # the model's asset key
    model_file: Path
    dbt_source: str
    dbt_table: str

    def as_reference(self, layout: LocationLayout) -> dict[str, object]:
        return {
            "file": layout.relative(self.model_file),
            "source": self.dbt_source,
            "table": self.dbt_table,
            "asset_key": self.source,
            "target": self.target,
            "action": "remove",
        }


def _designer_tables(layout: LocationLayout) -> dict[str, str]:
    """Table of the designer's source -> the asset key it names."""
    path = sources_file(layout)
    if not path.is_file():
        return {}
    document = yaml_files.plain((yaml_files.load_documents(path.read_text()) or [{}])[0])
    tables = {}
    for source in document.get("sources") or []:
        if source.get("name") == source_name(layout):
            for table in source.get("tables") or []:
                key = (table.get("meta") or {}).get("dagster", {}).get("asset_key")
                if key:
                    tables[table["name"]] = "/".join(key)
    return tables


def drawn_edges(layout: LocationLayout) -> list[DrawnDbtEdge]:
    """Every dependency drawn into one of the location's models (a marked `depends_on` line)."""
    by_file = {path: key for key, path in model_files(layout).items()}
    designer_tables = _designer_tables(layout)
    edges = []
    for folder in dbt_paths_for_location(layout.paths.dbt_dir, layout.name):
        for path in walk_files(folder) if folder.is_dir() else []:
            if path.suffix != ".sql" or path not in by_file:
                continue
            for line in path.read_text().splitlines(keepends=True):
                match = DRAWN_LINE.match(line)
                if not match:
                    continue
                dbt_source, table = match.groups()
                upstream = designer_tables.get(table) if dbt_source == source_name(layout) else None
                upstream = upstream or _source_key(layout, dbt_source, table)
                if upstream:
                    edges.append(DrawnDbtEdge(upstream, by_file[path], path, dbt_source, table))
    return edges


def _source_key(layout: LocationLayout, dbt_source: str, table: str) -> str | None:
    for source in _manifest(layout).get("sources", {}).values():
        if source["source_name"] == dbt_source and source["name"] == table:
            key = source.get("meta", {}).get("dagster", {}).get("asset_key")
            return "/".join(key) if key else None
    return None


def _table_name(asset_key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", asset_key.split("/")[-1])


def _sources_document(layout: LocationLayout) -> CommentedMap:
    path = sources_file(layout)
    if path.is_file():
        documents = yaml_files.load_documents(path.read_text(), layout.relative(path))
        if documents and isinstance(documents[0], CommentedMap):
            return documents[0]
    return CommentedMap(version=2, sources=CommentedSeq())


def _designer_source(document: CommentedMap, layout: LocationLayout, schema: str) -> CommentedMap:
    sources = document.setdefault("sources", CommentedSeq())
    for source in sources:
        if source.get("name") == source_name(layout) and source.get("schema") == schema:
            return source
    name = source_name(layout) if not any(s.get("name") == source_name(layout) for s in sources) else None
    if name is None:  # one designer source per schema: the first keeps the plain name
        name = f"{source_name(layout)}_{re.sub(r'[^A-Za-z0-9_]', '_', schema)}"
        for source in sources:
            if source.get("name") == name:
                return source
    source = CommentedMap(name=name, schema=schema, tables=CommentedSeq())
    sources.append(source)
    return source


def add_changes(layout: LocationLayout, upstream: str, model_file: Path) -> dict[Path, bytes]:
    """The files to write so the model in `model_file` depends on asset `upstream`."""
    changes: dict[Path, bytes] = {}
    found = existing_source(layout, upstream)
    if found is None:
        document = _sources_document(layout)
        parts = upstream.split("/")
        schema = parts[0] if len(parts) > 1 else "public"
        source = _designer_source(document, layout, schema)
        table = _table_name(upstream)
        if not any(item.get("name") == table for item in source["tables"]):
            entry = CommentedMap(name=table)
            entry["meta"] = CommentedMap(dagster=CommentedMap(asset_key=CommentedSeq(parts)))
            entry["meta"]["dagster"]["asset_key"].fa.set_flow_style()
            source["tables"].append(entry)
        changes[sources_file(layout)] = yaml_files.dump(document).encode()
        found = (str(source["name"]), table)
    sql = model_file.read_text()
    changes[model_file] = (drawn_line(*found) + sql).encode()
    return changes


def remove_changes(layout: LocationLayout, edges: Iterable[DrawnDbtEdge]) -> dict[Path, bytes | None]:
    """The files to write so these drawn edges are gone; designer source tables nobody uses any more go too."""
    edges = list(edges)
    changes: dict[Path, bytes | None] = {}
    for model_file in {edge.model_file for edge in edges}:
        dropped = {drawn_line(e.dbt_source, e.dbt_table) for e in edges if e.model_file == model_file}
        lines = model_file.read_text().splitlines(keepends=True)
        changes[model_file] = "".join(line for line in lines if line not in dropped).encode()
    gone = {(e.dbt_source, e.dbt_table) for e in edges}
    remaining = [edge for edge in drawn_edges(layout) if edge not in edges]
    unused = gone - {(e.dbt_source, e.dbt_table) for e in remaining}
    path = sources_file(layout)
    if path.is_file() and unused:
        document = _sources_document(layout)
        for source in list(document.get("sources") or []):
            source["tables"] = CommentedSeq(t for t in source["tables"] if (source["name"], t["name"]) not in unused)
            if not source["tables"]:
                document["sources"].remove(source)
        changes[path] = yaml_files.dump(document).encode() if document.get("sources") else None
    return changes
