"""Lineage edits: dependencies drawn between assets of different component instances.

Each is a post-processing rule in the target component's defs.yaml (`lineage_rules`), never Python. A
request is checked against the location's preview first (known assets, different components, no duplicate,
no cycle); the file is then replaced atomically under the location's lock and the preview rebuilt with dg.
Should dg refuse the result, the file is put back as it was and dg's errors are returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from data_manager.designer import instances, preview, yaml_files
from data_manager.designer.layout import LocationLayout
from data_manager.designer.lineage_rules import add_drawn_dep, cycle_through, drawn_deps, remove_drawn_dep
from data_manager.designer.locking import location_lock
from data_manager.designer.problems import CONFLICT, INVALID, NOT_FOUND, DesignerError, Problem
from data_manager.designer.verified_writes import edit_then_verify

DRAWN = "drawn"
DBT = "dbt"
DECLARED = "declared"


def classify_edges(assets: Iterable[Mapping[str, Any]], drawn: Mapping[str, Iterable[str]]) -> list[dict[str, str]]:
    """Every dependency of the preview with its origin: drawn in the designer, dbt's own, or declared in code."""
    edges = []
    for asset in assets:
        drawn_here = set(drawn.get(asset["key"], ()))
        for dep in asset["deps"]:
            if dep in drawn_here:
                origin = DRAWN
            elif DBT in asset.get("kinds", []):
                origin = DBT
            else:
                origin = DECLARED
            edges.append({"source": dep, "target": asset["key"], "origin": origin})
    return edges


def _drawn_rules(layout: LocationLayout) -> dict[str, tuple[str, list[str]]]:
    """Asset key -> (the instance whose defs.yaml holds its rule, the deps drawn for it)."""
    found: dict[str, tuple[str, list[str]]] = {}
    for instance in instances.list_instances(layout):
        if instance.error is None:
            text = (layout.paths.home / instance.file).read_text()
            for document in yaml_files.load_documents(text, instance.file)[:1]:
                for target, deps in drawn_deps(document).items():
                    found[target] = (instance.path, deps)
    return found


def _drawn_in_location(layout: LocationLayout) -> dict[str, list[str]]:
    return {target: deps for target, (_, deps) in _drawn_rules(layout).items()}


def lineage(layout: LocationLayout) -> dict[str, object]:
    assets = preview.preview_location(layout)["assets"]
    return {"location": layout.name, "edges": classify_edges(assets, _drawn_in_location(layout))}


def _origin_words(origin: str) -> str:
    return {DRAWN: "drawn in the designer", DBT: "dbt's own dependency"}.get(origin, "declared by its component")


def edge_problems(
    assets: list[Mapping[str, Any]], drawn: Mapping[str, Iterable[str]], source: str, target: str
) -> tuple[list[Problem], str]:
    """Every reason `target` may not be made to depend on `source`, and the refusal's kind."""
    by_key = {asset["key"]: asset for asset in assets}
    problems = [
        Problem(f"no asset {key!r} in this location's preview", path=(field,))
        for field, key in (("source", source), ("target", target))
        if key not in by_key
    ]
    if source == target:
        problems.append(Problem(f"an asset cannot depend on itself ({source})", path=("target",)))
    if problems:
        return problems, NOT_FOUND if all(p.message.startswith("no asset") for p in problems) else INVALID
    target_component, source_component = by_key[target].get("component"), by_key[source].get("component")
    if not target_component:
        problems.append(
            Problem(
                f"{target} is not produced by a component's defs.yaml, so no YAML can add to its deps", path=("target",)
            )
        )
    elif target_component == source_component:
        problems.append(
            Problem(f"{source} and {target} are both produced by {target_component}; draw between different components")
        )
    existing = next((e for e in classify_edges([by_key[target]], drawn) if e["source"] == source), None)
    if existing is not None:
        return [Problem(f"{target} already depends on {source} ({_origin_words(existing['origin'])})")], CONFLICT
    cycle = cycle_through({key: asset["deps"] for key, asset in by_key.items()}, source, target)
    if cycle is not None:
        problems.append(Problem(f"{target} depending on {source} would make a cycle: {' → '.join(cycle)}"))
    return problems, INVALID


def add_edge(layout: LocationLayout, source: str, target: str) -> dict[str, object]:
    """Make `target` depend on `source` through a post-processing rule in its component's defs.yaml."""
    assets = preview.preview_location(layout)["assets"]
    with location_lock(layout.paths, layout.name):
        drawn = _drawn_in_location(layout)
        problems, kind = edge_problems(assets, drawn, source, target)
        if problems:
            raise DesignerError(problems, kind=kind)
        asset = next(asset for asset in assets if asset["key"] == target)
        own_deps = [dep for dep in asset["deps"] if dep not in drawn.get(target, [])]
        edit_then_verify(layout, asset["component"], lambda document: add_drawn_dep(document, target, source, own_deps))
    return lineage(layout)


def remove_edge(layout: LocationLayout, source: str, target: str) -> dict[str, object]:
    """Remove a drawn dependency (its rule goes with the last one); dbt's and declared ones are not the YAML's."""
    assets = preview.preview_location(layout)["assets"]
    with location_lock(layout.paths, layout.name):
        rules = _drawn_rules(layout)
        drawn = {key: deps for key, (_, deps) in rules.items()}
        if source not in drawn.get(target, []):
            edge = next(
                (e for e in classify_edges(assets, drawn) if e["source"] == source and e["target"] == target), None
            )
            reason = f"it is {_origin_words(edge['origin'])}, not drawn" if edge else "there is no such dependency"
            raise DesignerError(
                [f"cannot remove {source} → {target}: {reason}"], kind=NOT_FOUND if not edge else CONFLICT
            )
        edit_then_verify(layout, rules[target][0], lambda document: remove_drawn_dep(document, target, source))
    return lineage(layout)
