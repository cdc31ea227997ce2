"""Lineage edits: dependencies drawn between assets of different component instances, or into dbt models.

Into an asset of a component: a post-processing rule in the target component's defs.yaml (`lineage_rules`),
never Python. Into a dbt model: a dbt source naming the upstream asset and a `depends_on` line in the model
(`dbt_lineage`, the dagster-dbt way). A request is checked against the location's preview first (known assets,
different components, no duplicate, no cycle); the change then goes through `writes.apply_change` (the staged
`dg check defs`, after `dbt parse` for dbt files, the journal, one atomic write). `dry_run` returns the diff of
every file and writes nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from data_manager.designer import dbt_lineage, instances, preview, yaml_files
from data_manager.designer.layout import LocationLayout
from data_manager.designer.lineage_rules import add_drawn_dep, cycle_through, drawn_deps, remove_drawn_dep
from data_manager.designer.locking import location_lock
from data_manager.designer.problems import CONFLICT, INVALID, NOT_FOUND, DesignerError, Problem
from data_manager.designer.staged_check import DEFS_FILE
from data_manager.designer.writes import apply_change

DRAWN = "drawn"
DBT = "dbt"
DECLARED = "declared"


POST_PROCESSING = "post_processing"
DBT_SOURCE = "dbt_source"


def classify_edges(
    assets: Iterable[Mapping[str, Any]],
    drawn: Mapping[str, Iterable[str]],
    drawn_dbt: Iterable[tuple[str, str]] = (),
) -> list[dict[str, str | None]]:
    """Every dependency of the preview with its origin (drawn in the designer, dbt's own, or declared in code)
    and, for drawn ones, how: a post-processing rule or a dbt source."""
    dbt_pairs = set(drawn_dbt)
    edges: list[dict[str, str | None]] = []
    for asset in assets:
        drawn_here = set(drawn.get(asset["key"], ()))
        for dep in asset["deps"]:
            if dep in drawn_here:
                origin, kind = DRAWN, POST_PROCESSING
            elif (dep, asset["key"]) in dbt_pairs:
                origin, kind = DRAWN, DBT_SOURCE
            elif DBT in asset.get("kinds", []):
                origin, kind = DBT, None
            else:
                origin, kind = DECLARED, None
            edges.append({"source": dep, "target": asset["key"], "origin": origin, "kind": kind})
    return edges


def drawn_rules(layout: LocationLayout) -> dict[str, tuple[str, list[str]]]:
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
    return {target: deps for target, (_, deps) in drawn_rules(layout).items()}


def _dbt_pairs(layout: LocationLayout) -> list[tuple[str, str]]:
    return [(edge.source, edge.target) for edge in dbt_lineage.drawn_edges(layout)]


def lineage(layout: LocationLayout) -> dict[str, object]:
    document = preview.preview_location(layout)
    edges = classify_edges(document["assets"], _drawn_in_location(layout), _dbt_pairs(layout))
    return {"location": layout.name, "edges": edges, "failed": document.get("failed", [])}


def _origin_words(origin: str) -> str:
    return {DRAWN: "drawn in the designer", DBT: "dbt's own dependency"}.get(origin, "declared by its component")


def edge_problems(
    assets: list[Mapping[str, Any]],
    drawn: Mapping[str, Iterable[str]],
    source: str,
    target: str,
    dbt_models: Iterable[str] = (),
) -> tuple[list[Problem], str]:
    """Every reason `target` may not be made to depend on `source`, and the refusal's kind. `dbt_models`: the
    location's dbt models (keys), which take a drawn dependency through a dbt source."""
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
    if target in set(dbt_models):
        pass  # a dbt source of the model
    elif not target_component:
        problems.append(
            Problem(
                f"{target} is neither produced by a component's defs.yaml nor one of this location's dbt models, "
                "so no file of the location can add to its deps",
                path=("target",),
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


def unified_diff(layout: LocationLayout, changes: Mapping[Path, bytes | None]) -> str:
    """One unified diff of every changed file (paths relative to the home, as git shows them)."""
    parts = []
    for path, content in changes.items():
        relative = layout.relative(path)
        before = path.read_text().splitlines(keepends=True) if path.is_file() else []
        after = content.decode().splitlines(keepends=True) if content is not None else []
        old = f"a/{relative}" if path.is_file() else "/dev/null"
        new = f"b/{relative}" if content is not None else "/dev/null"
        parts.append("".join(difflib.unified_diff(before, after, old, new)))
    return "".join(parts)


def _written(
    layout: LocationLayout,
    label: str,
    changes: Mapping[Path, bytes | None],
    dry_run: bool,
    expected_diff: str | None = None,
) -> dict[str, object]:
    diff = unified_diff(layout, changes)
    files = [layout.relative(path) for path in changes]
    if dry_run:
        return {"location": layout.name, "dry_run": True, "diff": diff, "files": files}
    if expected_diff is not None and diff != expected_diff:  # what lands is what was shown, or nothing
        raise DesignerError(
            [f"{', '.join(files)} changed since the diff was shown: nothing written; review the new diff"],
            kind=CONFLICT,
        )
    step = apply_change(layout, label, changes)
    return {**lineage(layout), "diff": diff, "files": files, "step": step.as_dict() if step else None}


def _defs_file(layout: LocationLayout, instance_path: str) -> Path:
    return layout.ensure_inside(layout.instance_dir(instance_path) / DEFS_FILE)


def add_edge(
    layout: LocationLayout, source: str, target: str, dry_run: bool = False, expected_diff: str | None = None
) -> dict[str, object]:
    """Make `target` depend on `source`: a post-processing rule in its component's defs.yaml, or a dbt source
    of its model. With `expected_diff` (a reviewed dry run's), nothing is written unless the diff is still that."""
    assets = preview.preview_location(layout)["assets"]
    with location_lock(layout.paths, layout.name):
        drawn = _drawn_in_location(layout)
        models = dbt_lineage.model_files(layout)
        drawn_dbt = _dbt_pairs(layout)
        if (source, target) in drawn_dbt:
            raise DesignerError([f"{target} already depends on {source} (drawn in the designer)"], kind=CONFLICT)
        problems, kind = edge_problems(assets, drawn, source, target, models)
        if problems:
            raise DesignerError(problems, kind=kind)
        label = f"draw {source} → {target}"
        if target in models:
            changes = dbt_lineage.add_changes(layout, source, models[target])
            return _written(layout, label, changes, dry_run, expected_diff)
        asset = next(asset for asset in assets if asset["key"] == target)
        own_deps = [dep for dep in asset["deps"] if dep not in drawn.get(target, [])]
        defs_file = _defs_file(layout, asset["component"])
        content = instances.edited_yaml(
            layout, defs_file, lambda document: add_drawn_dep(document, target, source, own_deps)
        )
        return _written(layout, label, {defs_file: content}, dry_run, expected_diff)


def remove_edge(layout: LocationLayout, source: str, target: str, dry_run: bool = False) -> dict[str, object]:
    """Remove a drawn dependency (its rule goes with the last one; a dbt source table when nobody uses it);
    dbt's own and declared ones are not the designer's to remove."""
    assets = preview.preview_location(layout)["assets"]
    with location_lock(layout.paths, layout.name):
        label = f"remove {source} → {target}"
        dbt_edges = [e for e in dbt_lineage.drawn_edges(layout) if (e.source, e.target) == (source, target)]
        if dbt_edges:
            return _written(layout, label, dbt_lineage.remove_changes(layout, dbt_edges), dry_run)
        rules = drawn_rules(layout)
        drawn = {key: deps for key, (_, deps) in rules.items()}
        if source not in drawn.get(target, []):
            edge = next(
                (e for e in classify_edges(assets, drawn) if e["source"] == source and e["target"] == target), None
            )
            reason = f"it is {_origin_words(str(edge['origin']))}, not drawn" if edge else "there is no such dependency"
            raise DesignerError(
                [f"cannot remove {source} → {target}: {reason}"], kind=NOT_FOUND if not edge else CONFLICT
            )
        defs_file = _defs_file(layout, rules[target][0])
        content = instances.edited_yaml(layout, defs_file, lambda document: remove_drawn_dep(document, target, source))
        return _written(layout, label, {defs_file: content}, dry_run)
