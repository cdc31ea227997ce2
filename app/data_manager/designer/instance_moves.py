"""Delete, rename and duplicate any component instance, with what refers to it.

References of an instance: dependencies drawn from its assets (post-processing rules in other instances, dbt
sources of the location's models), jobs (`AssetJobComponent`) selecting its assets, the schedules and sensors
launching those jobs (or the instance itself, when it is a job), and sensors watching its assets. A delete
refuses (409, the references listed) unless asked to cascade: then drawn dependencies go, jobs lose its
assets (or go when none is left, with their schedules and sensors), and it is all one change, checked by the
staged `dg check defs` and undoable like every write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ruamel.yaml.comments import CommentedMap

from data_manager.designer import dbt_lineage, preview
from data_manager.designer.catalog import Catalog
from data_manager.designer.instances import (
    Instance,
    attribute_problems,
    edited_yaml,
    existing_file,
    instance_files,
    list_instances,
    read_instance,
)
from data_manager.designer.layout import LocationLayout, path_problems
from data_manager.designer.lineage import drawn_rules
from data_manager.designer.lineage_rules import remove_drawn_dep, strip_drawn_rules
from data_manager.designer.locking import location_lock
from data_manager.designer.primitives import JOB_TYPE, SCHEDULE_TYPE, SENSOR_TYPE
from data_manager.designer.problems import CONFLICT, NOT_FOUND, DesignerError, Problem
from data_manager.designer.staged_check import DEFS_FILE
from data_manager.designer.writes import apply_change
from data_manager.designer.yaml_files import merge_into, plain

NAME_ATTRIBUTE = {JOB_TYPE: "job_name", SCHEDULE_TYPE: "schedule_name", SENSOR_TYPE: "sensor_name"}
TABLE_SYNC = "data_manager.components.SqlTableSyncComponent"
Edit = Callable[[CommentedMap], object]


def _instance(layout: LocationLayout, instance_path: str) -> Instance:
    existing_file(layout, instance_path)  # the path gate: no traversal, no symlinks
    found = next((item for item in list_instances(layout) if item.path == instance_path), None)
    if found is None:
        raise DesignerError([f"no component instance {instance_path!r} in location {layout.name!r}"], kind=NOT_FOUND)
    return found


def _attrs(instance: Instance) -> dict[str, Any]:
    return instance.attributes or {}


@dataclass
class References:
    instance: Instance
    assets: list[str]
    lineage: list[dict[str, object]] = field(default_factory=list)
    dbt_edges: list[dbt_lineage.DrawnDbtEdge] = field(default_factory=list)
    jobs: list[dict[str, object]] = field(default_factory=list)
    schedules: list[dict[str, object]] = field(default_factory=list)
    sensors: list[dict[str, object]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.lineage) + len(self.dbt_edges) + len(self.jobs) + len(self.schedules) + len(self.sensors)

    def as_dict(self, layout: LocationLayout) -> dict[str, object]:
        return {
            "instance": self.instance.path,
            "type": self.instance.type,
            "assets": self.assets,
            "lineage": self.lineage,
            "dbt_sources": [edge.as_reference(layout) for edge in self.dbt_edges],
            "jobs": self.jobs,
            "schedules": self.schedules,
            "sensors": self.sensors,
            "count": self.count,
        }


def find_references(layout: LocationLayout, instance_path: str) -> References:
    instance = _instance(layout, instance_path)
    document = preview.preview_location(layout)
    assets = [asset["key"] for asset in document["assets"] if asset.get("component") == instance_path]
    found = References(instance, assets)
    mine = set(assets)
    for target, (holder, deps) in drawn_rules(layout).items():
        if holder != instance_path:
            found.lineage += [
                {"source": dep, "target": target, "component": holder, "action": "remove"}
                for dep in deps
                if dep in mine
            ]
    found.dbt_edges = [edge for edge in dbt_lineage.drawn_edges(layout) if edge.source in mine]
    others = [item for item in list_instances(layout) if item.path != instance_path]
    gone_jobs = set()
    if instance.type == JOB_TYPE and _attrs(instance).get("job_name"):
        gone_jobs.add(_attrs(instance)["job_name"])
    for job in [item for item in others if item.type == JOB_TYPE]:
        selected = [key for key in _attrs(job).get("assets") or [] if key in mine]
        if selected:
            emptied = len(selected) == len(_attrs(job).get("assets") or [])
            name = _attrs(job).get("job_name")
            found.jobs.append(
                {"path": job.path, "name": name, "assets": selected, "action": "delete" if emptied else "edit"}
            )
            if emptied:
                gone_jobs.add(name)
    for item in others:
        attrs = _attrs(item)
        if item.type == SCHEDULE_TYPE and attrs.get("job_name") in gone_jobs:
            found.schedules.append({"path": item.path, "name": attrs.get("schedule_name"), "job": attrs.get("job_name"), "action": "delete"})  # fmt: skip
        if item.type == SENSOR_TYPE and (attrs.get("job_name") in gone_jobs or attrs.get("asset_key") in mine):
            found.sensors.append({
                "path": item.path, "name": attrs.get("sensor_name"), "job": attrs.get("job_name"),
                "asset": attrs.get("asset_key"), "action": "delete",
            })  # fmt: skip
    return found


def references(layout: LocationLayout, instance_path: str) -> dict[str, object]:
    return find_references(layout, instance_path).as_dict(layout)


def _defs_file(layout: LocationLayout, instance_path: str) -> Path:
    return layout.instance_dir(instance_path) / DEFS_FILE


def _edit_all(layout: LocationLayout, edits: dict[Path, list[Edit]]) -> dict[Path, bytes | None]:
    def apply_all(functions: list[Edit]) -> Edit:
        return lambda document: [function(document) for function in functions]

    return {path: edited_yaml(layout, path, apply_all(functions)) for path, functions in edits.items()}


def _without_assets(keys: list[str]) -> Edit:
    def edit(document: CommentedMap) -> None:
        selected = document["attributes"]["assets"]
        for key in keys:
            while key in selected:
                selected.remove(key)

    return edit


def _cascade_changes(layout: LocationLayout, refs: References) -> tuple[dict[Path, bytes | None], list[str]]:
    """Every file change a cascading delete makes, and the instances it removes."""
    removed = [refs.instance.path]
    removed += [str(job["path"]) for job in refs.jobs if job["action"] == "delete"]
    removed += [str(item["path"]) for item in refs.schedules + refs.sensors]
    edits: dict[Path, list[Edit]] = defaultdict(list)
    for edge in refs.lineage:
        if edge["component"] not in removed:
            target, source = str(edge["target"]), str(edge["source"])
            edits[_defs_file(layout, str(edge["component"]))].append(
                lambda document, t=target, s=source: remove_drawn_dep(document, t, s)
            )
    for job in refs.jobs:
        if job["action"] == "edit":
            edits[_defs_file(layout, str(job["path"]))].append(_without_assets(list(job["assets"])))  # type: ignore[arg-type]
    changes: dict[Path, bytes | None] = {}
    for instance_path in dict.fromkeys(removed):
        changes.update({path: None for path in instance_files(layout, instance_path)})
    changes.update(_edit_all(layout, edits))
    changes.update(dbt_lineage.remove_changes(layout, refs.dbt_edges) if refs.dbt_edges else {})
    return changes, list(dict.fromkeys(removed))


def delete_instance(layout: LocationLayout, instance_path: str, cascade: bool = False) -> dict[str, object]:
    """Delete an instance; with references, 409 listing them unless `cascade` (then all of it, one step)."""
    with location_lock(layout.paths, layout.name):
        refs = find_references(layout, instance_path)
        if refs.count and not cascade:
            raise DesignerError(
                [f"{refs.count} reference(s) to {instance_path}: delete with cascade=true to remove or edit them too"],
                kind=CONFLICT,
                extra={"references": refs.as_dict(layout)},
            )
        changes, removed = _cascade_changes(layout, refs)
        label = f"delete {instance_path}" + (f" and its {refs.count} reference(s)" if refs.count else "")
        step = apply_change(layout, label, changes)
    edited = [layout.relative(path) for path, content in changes.items() if content is not None]
    return {
        "location": layout.name,
        "deleted": instance_path,
        "removed": removed,
        "edited": edited,
        "step": step.as_dict() if step else None,
    }


def _new_path_problems(layout: LocationLayout, instance_path: str, new_path: str) -> None:
    problems = [Problem(problem, ("path",)) for problem in path_problems(new_path)]
    if problems:
        raise DesignerError(problems)
    source = layout.instance_dir(instance_path)
    target = layout.ensure_inside(layout.instance_dir(new_path))
    if target == source or source in target.parents:
        raise DesignerError([Problem(f"cannot move {instance_path!r} into itself", ("path",))])
    if target.exists():
        raise DesignerError([Problem(f"{layout.relative(target)} already exists", ("path",))], kind=CONFLICT)


def _moved(layout: LocationLayout, instance_path: str, new_path: str) -> dict[Path, bytes]:
    """The instance's files under the new folder (same relative paths, same bytes)."""
    source, target = layout.instance_dir(instance_path), layout.instance_dir(new_path)
    return {target / path.relative_to(source): path.read_bytes() for path in instance_files(layout, instance_path)}


def _renamed_definition(instance: Instance, new_path: str) -> tuple[str | None, str | None, Edit | None]:
    """(old name, new name, edit) when a job/schedule/sensor's name follows its folder, else Nones."""
    attribute = NAME_ATTRIBUTE.get(instance.type or "")
    old_name = _attrs(instance).get(attribute) if attribute else None
    new_name = PurePosixPath(new_path).name
    if attribute is None or old_name != PurePosixPath(instance.path).name:
        return None, None, None
    return old_name, new_name, lambda document: document["attributes"].__setitem__(attribute, new_name)


def rename_instance(layout: LocationLayout, instance_path: str, new_path: str) -> dict[str, object]:
    """Move an instance's folder; a job/schedule/sensor named after it takes the new name, and schedules and
    sensors naming a renamed job follow. One step, checked like every write."""
    with location_lock(layout.paths, layout.name):
        instance = _instance(layout, instance_path)
        _new_path_problems(layout, instance_path, new_path)
        changes: dict[Path, bytes | None] = {path: None for path in instance_files(layout, instance_path)}
        moved = _moved(layout, instance_path, new_path)
        old_name, new_name, rename = _renamed_definition(instance, new_path)
        new_defs = _defs_file(layout, new_path)
        if rename is not None and new_defs in moved:
            moved[new_defs] = _edited_bytes(layout, _defs_file(layout, instance_path), [rename])
        changes.update(moved)
        edited = []
        if instance.type == JOB_TYPE and old_name and new_name:
            for item in list_instances(layout):
                if item.type in (SCHEDULE_TYPE, SENSOR_TYPE) and _attrs(item).get("job_name") == old_name:
                    path = _defs_file(layout, item.path)
                    changes[path] = edited_yaml(
                        layout, path, lambda document: document["attributes"].__setitem__("job_name", new_name)
                    )
                    edited.append(layout.relative(path))
        step = apply_change(layout, f"rename {instance_path} to {new_path}", changes)
    return {
        **read_instance(layout, new_path),
        "renamed": {"from": instance_path, "to": new_path},
        "edited": edited,
        "step": step.as_dict() if step else None,
    }


def _edited_bytes(layout: LocationLayout, defs_file: Path, edits: list[Edit]) -> bytes:
    return edited_yaml(layout, defs_file, lambda document: [edit(document) for edit in edits])


def duplicate_instance(
    layout: LocationLayout,
    catalog: Catalog,
    instance_path: str,
    new_path: str,
    attributes: dict[str, Any] | None = None,
) -> dict[str, object]:
    """A copy of an instance under `new_path`: without the original's drawn rules; a job/schedule/sensor named
    after the new folder; a table sync with `table_prefix: <folder>_`; `attributes` merged over the copy's."""
    with location_lock(layout.paths, layout.name):
        instance = _instance(layout, instance_path)
        _new_path_problems(layout, instance_path, new_path)
        copied = _moved(layout, instance_path, new_path)
        new_name = PurePosixPath(new_path).name
        attribute = NAME_ATTRIBUTE.get(instance.type or "")
        overrides: dict[str, Any] = {}
        if attribute:
            overrides[attribute] = new_name
        if instance.type == TABLE_SYNC:
            overrides["table_prefix"] = f"{new_name}_"
        overrides.update(attributes or {})
        merged = {**_attrs(instance), **overrides}
        if instance.type:
            problems = attribute_problems(catalog.get(instance.type), merged)
            if problems:
                raise DesignerError(problems)

        def adjust(document: CommentedMap) -> None:
            strip_drawn_rules(document)
            if isinstance(document.get("attributes"), CommentedMap):
                merge_into(document["attributes"], {**plain(document["attributes"]), **overrides})

        new_defs = _defs_file(layout, new_path)
        if new_defs in copied and instance.type:
            copied[new_defs] = _edited_bytes(layout, _defs_file(layout, instance_path), [adjust])
        step = apply_change(layout, f"duplicate {instance_path} as {new_path}", copied)
    return {**read_instance(layout, new_path), "step": step.as_dict() if step else None}
