"""Component instances of a location: the `defs.yaml` files under its `defs/` folder.

Every write validates first (path, type, attributes against the type's JSON Schema), holds the location's
lock and replaces the file atomically; a refused request changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from ruamel.yaml.comments import CommentedMap

from data_manager.atomic_files import write_atomic
from data_manager.designer import dg, yaml_files
from data_manager.designer.catalog import Catalog, ComponentType
from data_manager.designer.layout import LocationLayout, path_problems
from data_manager.designer.locking import location_lock
from data_manager.designer.problems import CONFLICT, FAILED, INVALID, NOT_FOUND, DesignerError, Problem

DEFS_FILE = "defs.yaml"
SCAFFOLD_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class Instance:
    path: str
    type: str | None
    attributes: dict[str, Any] | None
    file: str
    documents: int
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "type": self.type,
            "attributes": self.attributes,
            "file": self.file,
            "documents": self.documents,
            "error": self.error,
        }


def _read(layout: LocationLayout, defs_file: Path) -> Instance:
    relative = layout.relative(defs_file)
    instance_path = defs_file.parent.relative_to(layout.defs_dir).as_posix()
    try:
        documents = yaml_files.load_documents(defs_file.read_text(), relative)
    except DesignerError as exc:
        return Instance(instance_path, None, None, relative, 0, str(exc))
    first = yaml_files.plain(documents[0]) if documents else {}
    if not isinstance(first, dict):
        return Instance(instance_path, None, None, relative, len(documents), "defs.yaml is not a mapping")
    attributes = first.get("attributes")
    return Instance(
        instance_path,
        first.get("type"),
        attributes if isinstance(attributes, dict) else None,
        relative,
        len(documents),
    )


def list_instances(layout: LocationLayout) -> list[Instance]:
    if not layout.defs_dir.is_dir():
        return []
    found = []
    for root, dirs, files in os.walk(layout.defs_dir):  # os.walk does not follow symlinked folders
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        if DEFS_FILE in files and not (Path(root) / DEFS_FILE).is_symlink():
            found.append(_read(layout, Path(root) / DEFS_FILE))
    return found


def _existing_file(layout: LocationLayout, instance_path: str) -> Path:
    defs_file = layout.ensure_inside(layout.instance_dir(instance_path) / DEFS_FILE)
    if not defs_file.is_file():
        raise DesignerError([f"no component instance {instance_path!r} in location {layout.name!r}"], kind=NOT_FOUND)
    return defs_file


def read_instance(layout: LocationLayout, instance_path: str) -> dict[str, object]:
    defs_file = _existing_file(layout, instance_path)
    return {**_read(layout, defs_file).as_dict(), "yaml": defs_file.read_text()}


def _depth(value: Any, level: int = 0) -> int:
    if level > yaml_files.MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(item, level + 1) for item in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(item, level + 1) for item in value), default=level + 1)
    return level


def attribute_problems(component: ComponentType, attributes: Any) -> list[Problem]:
    """Every schema violation, each pinned to its place: ("attributes", "tables", 0)."""
    if _depth(attributes) > yaml_files.MAX_DEPTH:
        return [Problem(f"attributes nested deeper than {yaml_files.MAX_DEPTH} levels", path=("attributes",))]
    schema = component.attributes_schema
    if not schema:
        return [] if attributes in (None, {}) else [Problem(f"{component.key} takes no attributes", ("attributes",))]
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in validator.iter_errors(attributes if attributes is not None else {}):
        problems += _problems_of(error)
    return sorted(set(problems), key=lambda problem: [str(part) for part in problem.path or ()])


def _problems_of(error: jsonschema.ValidationError) -> list[Problem]:
    """One problem per offending field: unknown keys each get their own path; for a union (a value or a
    `{{ template }}` string), the branch that got furthest into the value speaks."""
    path = ("attributes", *error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        pattern_keys = error.schema.get("patternProperties", {})
        extra = [key for key in error.instance if key not in known and not pattern_keys]
        return [Problem(f"unknown attribute {key!r}", (*path, key)) for key in extra] or [Problem(error.message, path)]
    if error.validator in ("anyOf", "oneOf") and error.context:
        deepest = max(error.context, key=lambda sub: len(sub.absolute_path))
        if len(deepest.absolute_path) > len(error.absolute_path):
            return _problems_of(deepest)
        best = jsonschema.exceptions.best_match(error.context)
        return [Problem(best.message if best is not None else error.message, path)]
    return [Problem(error.message, path)]


def _document_for(defs_file: Path, layout: LocationLayout) -> tuple[list[Any], CommentedMap]:
    documents = yaml_files.load_documents(defs_file.read_text(), layout.relative(defs_file))
    if len(documents) != 1 or not isinstance(documents[0], CommentedMap):
        raise DesignerError(
            [
                Problem(
                    f"{layout.relative(defs_file)} holds {len(documents)} documents; edit it as YAML",
                    file=layout.relative(defs_file),
                )
            ],
            kind=CONFLICT,
        )
    return documents, documents[0]


def update_attributes(
    layout: LocationLayout, catalog: Catalog, instance_path: str, attributes: dict[str, Any]
) -> dict[str, object]:
    """Replace an instance's attributes after validating them; comments and key order are kept."""
    defs_file = _existing_file(layout, instance_path)
    with location_lock(layout.paths, layout.name):
        _, document = _document_for(defs_file, layout)
        component = catalog.get(str(document.get("type", "")))
        problems = attribute_problems(component, attributes)
        if problems:
            raise DesignerError(problems)
        if "attributes" in document and isinstance(document["attributes"], CommentedMap):
            yaml_files.merge_into(document["attributes"], attributes)
        else:
            document["attributes"] = attributes
        write_atomic(defs_file, yaml_files.dump(document))
    return read_instance(layout, instance_path)


def update_yaml(layout: LocationLayout, catalog: Catalog, instance_path: str, text: str) -> dict[str, object]:
    """Replace an instance's defs.yaml with `text` (the raw-YAML editor) after the same validation."""
    defs_file = _existing_file(layout, instance_path)
    problems = yaml_problems(catalog, text, layout.relative(defs_file))
    if problems:
        raise DesignerError(problems)
    with location_lock(layout.paths, layout.name):
        write_atomic(defs_file, text)
    return read_instance(layout, instance_path)


def yaml_problems(catalog: Catalog, text: str, file: str) -> list[Problem]:
    """Problems of a whole defs.yaml text: syntax, bombs, each document's type and attributes."""
    problems = yaml_files.problems_in_text(text, file)
    if problems:
        return problems
    documents = [yaml_files.plain(doc) for doc in yaml_files.load_documents(text, file)]
    if not documents:
        return [Problem("defs.yaml is empty; it needs `type:` and `attributes:`", file=file)]
    for document in documents:
        if not isinstance(document, dict) or not isinstance(document.get("type"), str):
            problems.append(Problem("each document needs a `type:` naming a component type", ("type",), file))
            continue
        try:
            component = catalog.get(document["type"])
        except DesignerError as exc:
            problems += [Problem(p.message, ("type",), file) for p in exc.problems]
            continue
        problems += [
            Problem(p.message, p.path, file) for p in attribute_problems(component, document.get("attributes"))
        ]
    return problems


def create_instance(
    layout: LocationLayout,
    catalog: Catalog,
    component_type: str,
    instance_path: str,
    attributes: dict[str, Any] | None = None,
    scaffold_params: dict[str, Any] | None = None,
) -> dict[str, object]:
    """`dg scaffold defs TYPE PATH [--json-params]`, then the given attributes (validated before anything)."""
    problems = [Problem(p, ("path",)) for p in path_problems(instance_path)]
    component = None
    try:
        component = catalog.get(component_type)
    except DesignerError as exc:
        problems += [Problem(p.message, ("type",)) for p in exc.problems]
    if component is not None and attributes is not None:
        problems += attribute_problems(component, attributes)
    if problems:
        raise DesignerError(problems, kind=NOT_FOUND if component is None and len(problems) == 1 else INVALID)
    target = layout.ensure_inside(layout.instance_dir(instance_path))
    with location_lock(layout.paths, layout.name):
        if target.exists():
            raise DesignerError([Problem(f"{layout.relative(target)} already exists", ("path",))], kind=CONFLICT)
        args = ["scaffold", "defs", component_type, instance_path]
        if scaffold_params:
            args += ["--json-params", json.dumps(scaffold_params)]
        result = dg.run(layout.paths, layout.project_dir, args, SCAFFOLD_TIMEOUT_S)
        if not result.ok or not (target / DEFS_FILE).is_file():
            _remove_created(layout, target)
            raise DesignerError([f"dg scaffold defs failed: {result.last_error_line()}"], kind=FAILED)
        if attributes is not None:
            try:
                _, document = _document_for(target / DEFS_FILE, layout)
                document["attributes"] = attributes
                write_atomic(target / DEFS_FILE, yaml_files.dump(document))
            except BaseException:
                _remove_created(layout, target)
                raise
    return read_instance(layout, instance_path)


def _remove_created(layout: LocationLayout, target: Path) -> None:
    """Undo a scaffold: the instance folder and any empty parents it created below defs/."""
    shutil.rmtree(target, ignore_errors=True)
    _prune_empty_parents(layout, target)


def _prune_empty_parents(layout: LocationLayout, removed: Path) -> None:
    """Folders left empty below defs/ once `removed` is gone (after a delete, a rename or an undo)."""
    parent = removed.parent
    while parent != layout.defs_dir and layout.defs_dir in parent.parents and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def rename_instance(layout: LocationLayout, instance_path: str, new_path: str) -> dict[str, object]:
    problems = [Problem(p, ("new_path",)) for p in path_problems(new_path)]
    if problems:
        raise DesignerError(problems)
    source = _existing_file(layout, instance_path).parent
    target = layout.ensure_inside(layout.instance_dir(new_path))
    if target == source or source in target.parents:
        raise DesignerError([Problem(f"cannot move {instance_path!r} into itself", ("new_path",))])
    with location_lock(layout.paths, layout.name):
        if target.exists():
            raise DesignerError([Problem(f"{layout.relative(target)} already exists", ("new_path",))], kind=CONFLICT)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, target)
        _prune_empty_parents(layout, source)
    return read_instance(layout, new_path)


def delete_instance(layout: LocationLayout, instance_path: str) -> None:
    folder = _existing_file(layout, instance_path).parent
    with location_lock(layout.paths, layout.name):
        shutil.rmtree(folder)
        _prune_empty_parents(layout, folder)
