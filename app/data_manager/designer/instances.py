"""Component instances of a location: the `defs.yaml` files under its `defs/` folder.

Every write validates first (path, type, attributes against the type's JSON Schema), then goes through
`writes.apply_change` under the location's lock (the staged `dg check defs`, the journal, one atomic write); a
refused request changes nothing. A new instance is written whole, never as an `attributes: {}` stub.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from ruamel.yaml.comments import CommentedMap

from data_manager.designer import yaml_files
from data_manager.designer.catalog import TEMPLATE_STRING, Catalog, ComponentType
from data_manager.designer.dg import commands as dg_commands
from data_manager.designer.files import walk_files
from data_manager.designer.journal import Step
from data_manager.designer.layout import LocationLayout, path_problems
from data_manager.designer.locking import location_lock
from data_manager.designer.problems import CONFLICT, FAILED, INVALID, NOT_FOUND, DesignerError, Problem
from data_manager.designer.staged_check import DEFS_FILE, staged_problems
from data_manager.designer.staging import staged_home
from data_manager.designer.writes import apply_change

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


def existing_file(layout: LocationLayout, instance_path: str) -> Path:
    defs_file = layout.ensure_inside(layout.instance_dir(instance_path) / DEFS_FILE)
    if not defs_file.is_file():
        raise DesignerError([f"no component instance {instance_path!r} in location {layout.name!r}"], kind=NOT_FOUND)
    return defs_file


def read_instance(layout: LocationLayout, instance_path: str) -> dict[str, object]:
    defs_file = existing_file(layout, instance_path)
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
    """Every schema violation, one per offending field, each pinned to its place: ("attributes", "tables", 0)."""
    if _depth(attributes) > yaml_files.MAX_DEPTH:
        return [Problem(f"attributes nested deeper than {yaml_files.MAX_DEPTH} levels", path=("attributes",))]
    schema = component.attributes_schema
    if not schema:
        return [] if attributes in (None, {}) else [Problem(f"{component.key} takes no attributes", ("attributes",))]
    validator = jsonschema.Draft202012Validator(schema)
    problems: dict[tuple, Problem] = {}
    for error in sorted(validator.iter_errors(attributes if attributes is not None else {}), key=_branch_first):
        for problem in _problems_of(error):
            problems.setdefault(problem.path or (), problem)
    return sorted(problems.values(), key=lambda problem: [str(part) for part in problem.path or ()])


def _branch_first(error: jsonschema.ValidationError) -> int:
    """A union's own error speaks before a constraint Dagster repeats beside it (`maxLength` on the anyOf)."""
    return 0 if error.validator in ("anyOf", "oneOf") else 1


_JSON_TYPES = {
    type(None): "null", bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object",
}  # fmt: skip


def _fits_type(branch: Any, value: Any) -> bool:
    """Whether a union branch is meant for values like `value` (its `type`; a template branch only for templates)."""
    if not isinstance(branch, dict):
        return False
    if branch.get("pattern") == TEMPLATE_STRING["pattern"]:
        return isinstance(value, str) and "{{" in value
    kind = _JSON_TYPES.get(type(value))
    allowed = branch.get("type")
    allowed = [allowed] if isinstance(allowed, str) else allowed or []
    return kind in allowed or (kind == "integer" and "number" in allowed)


def _problems_of(error: jsonschema.ValidationError) -> list[Problem]:
    """One problem per offending field: unknown keys each get their own path; for a union (a value or a
    `{{ template }}` string), the branch meant for the value's type speaks (else the one that got furthest)."""
    path = ("attributes", *error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        pattern_keys = error.schema.get("patternProperties", {})
        extra = [key for key in error.instance if key not in known and not pattern_keys]
        return [Problem(f"unknown attribute {key!r}", (*path, key)) for key in extra] or [Problem(error.message, path)]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [key for key in error.validator_value if key not in error.instance]
        return [Problem(f"{key!r} is required", (*path, key)) for key in missing] or [Problem(error.message, path)]
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches = error.validator_value if isinstance(error.validator_value, list) else []
        meant = [index for index, branch in enumerate(branches) if _fits_type(branch, error.instance)]
        if meant:
            subs = [
                sub for sub in error.context if sub.relative_schema_path and sub.relative_schema_path[0] == meant[0]
            ]
            if subs:
                return [problem for sub in subs for problem in _problems_of(sub)]
        deepest = max(error.context, key=lambda sub: len(sub.absolute_path))
        if len(deepest.absolute_path) > len(error.absolute_path):
            return _problems_of(deepest)
        best = jsonschema.exceptions.best_match(error.context)
        return [Problem(best.message if best is not None else error.message, path)]
    if error.validator == "pattern" and isinstance(error.instance, str):
        return [
            Problem(
                f"{error.instance!r} has characters that are not allowed: it must match {error.validator_value}", path
            )
        ]
    if error.validator == "maxLength" and isinstance(error.instance, str):
        return [Problem(f"{len(error.instance)} characters: at most {error.validator_value} are allowed", path)]
    return [Problem(error.message, path)]


def _document_for(defs_file: Path, layout: LocationLayout) -> CommentedMap:
    """The one mapping document of a defs.yaml (round-trip types); a multi-document file is edited as YAML."""
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
    return documents[0]


def edited_yaml(layout: LocationLayout, defs_file: Path, edit: Callable[[CommentedMap], object]) -> bytes:
    """The bytes of `defs_file` after `edit` changed its document in place (comments and layout kept)."""
    document = _document_for(defs_file, layout)
    edit(document)
    return yaml_files.dump(document).encode()


def _answer(layout: LocationLayout, instance_path: str, step: Step | None) -> dict[str, object]:
    return {**read_instance(layout, instance_path), "step": step.as_dict() if step else None}


def update_attributes(
    layout: LocationLayout, catalog: Catalog, instance_path: str, attributes: dict[str, Any]
) -> dict[str, object]:
    """Replace an instance's attributes after the schema and the staged `dg check defs` accept them; comments,
    key order and layout are kept."""
    defs_file = existing_file(layout, instance_path)
    with location_lock(layout.paths, layout.name):
        document = _document_for(defs_file, layout)
        component = catalog.get(str(document.get("type", "")))
        problems = attribute_problems(component, attributes)
        if problems:
            raise DesignerError(problems)

        def replace(document: CommentedMap) -> None:
            if isinstance(document.get("attributes"), CommentedMap):
                yaml_files.merge_into(document["attributes"], attributes)
            else:
                document["attributes"] = attributes

        content = edited_yaml(layout, defs_file, replace)
        step = apply_change(layout, f"edit {instance_path}", {defs_file: content})
    return _answer(layout, instance_path, step)


def update_yaml(layout: LocationLayout, catalog: Catalog, instance_path: str, text: str) -> dict[str, object]:
    """Replace an instance's defs.yaml with `text` (the raw-YAML editor) after the same checks."""
    defs_file = existing_file(layout, instance_path)
    problems = yaml_problems(catalog, text, layout.relative(defs_file))
    if problems:
        raise DesignerError(problems)
    with location_lock(layout.paths, layout.name):
        step = apply_change(layout, f"edit {instance_path} (YAML)", {defs_file: text.encode()})
    return _answer(layout, instance_path, step)


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


def new_instance_problems(
    layout: LocationLayout, catalog: Catalog, component_type: str, instance_path: str, attributes: Any
) -> tuple[list[Problem], str]:
    """Everything wrong with a new instance before dg sees it (path, type, attributes) and the refusal's kind."""
    problems = [Problem(p, ("path",)) for p in path_problems(instance_path)]
    component = None
    try:
        component = catalog.get(component_type)
    except DesignerError as exc:
        problems += [Problem(p.message, ("type",)) for p in exc.problems]
    if component is not None and attributes is not None:
        problems += attribute_problems(component, attributes)
    if problems:
        return problems, NOT_FOUND if component is None and len(problems) == 1 else INVALID
    target = layout.ensure_inside(layout.instance_dir(instance_path))
    if target.exists():
        return [Problem(f"{layout.relative(target)} already exists", ("path",))], CONFLICT
    return [], INVALID


def _scaffolded_files(
    layout: LocationLayout, component_type: str, instance_path: str, scaffold_params: dict[str, Any]
) -> dict[Path, bytes]:
    """What `dg scaffold defs TYPE PATH --json-params` writes, run in a staged copy: real path -> bytes."""
    with staged_home(layout, {}) as staged:
        args = ["scaffold", "defs", component_type, instance_path, "--json-params", json.dumps(scaffold_params)]
        result = dg_commands.run(staged.paths, staged.project_dir, args, SCAFFOLD_TIMEOUT_S)
        folder = staged.staged(layout.instance_dir(instance_path))
        if not result.ok or not (folder / DEFS_FILE).is_file():
            raise DesignerError([f"dg scaffold defs failed: {result.last_error_line()}"], kind=FAILED)
        return {
            layout.instance_dir(instance_path) / path.relative_to(folder): path.read_bytes()
            for path in walk_files(folder)
        }


def new_instance_files(
    layout: LocationLayout,
    component_type: str,
    instance_path: str,
    attributes: dict[str, Any] | None,
    scaffold_params: dict[str, Any] | None = None,
) -> dict[Path, bytes]:
    """The files of a new instance: `type:` and the attributes, or what dg scaffolds (with `scaffold_params`),
    its attributes replaced by the given ones when there are."""
    defs_file = layout.instance_dir(instance_path) / DEFS_FILE
    if scaffold_params is None:
        document = CommentedMap(type=component_type, attributes=attributes or {})
        return {defs_file: yaml_files.dump(document).encode()}
    files = _scaffolded_files(layout, component_type, instance_path, scaffold_params)
    if attributes is not None:
        documents = yaml_files.load_documents(files[defs_file].decode(), layout.relative(defs_file))
        document = documents[0] if documents and isinstance(documents[0], CommentedMap) else CommentedMap()
        document["type"] = component_type
        document["attributes"] = attributes
        files[defs_file] = yaml_files.dump(document).encode()
    return files


def _files_problems(catalog: Catalog, layout: LocationLayout, files: dict[Path, bytes]) -> list[Problem]:
    """The schema problems of the defs.yaml files a new instance would write (refused before dg runs)."""
    problems = []
    for path, content in files.items():
        if path.name == DEFS_FILE:
            problems += yaml_problems(catalog, content.decode(), layout.relative(path))
    return [Problem(p.message, p.path) if p.path else p for p in problems]


def validate_instance(
    layout: LocationLayout,
    catalog: Catalog,
    component_type: str,
    instance_path: str,
    attributes: dict[str, Any] | None,
    with_defs: bool = True,
) -> dict[str, object]:
    """Would this new instance be accepted? Schema first, then (`with_defs`) the staged `dg check defs`.

    Nothing is written: a draft stays in the browser until this passes."""
    problems, kind = new_instance_problems(layout, catalog, component_type, instance_path, attributes)
    if problems:
        raise DesignerError(problems, kind=kind)
    files = new_instance_files(layout, component_type, instance_path, attributes)
    problems = _files_problems(catalog, layout, files)
    if not problems and with_defs:
        problems = staged_problems(layout, files)
    if problems:
        raise DesignerError(problems)
    return {"location": layout.name, "ok": True, "errors": []}


def create_instance(
    layout: LocationLayout,
    catalog: Catalog,
    component_type: str,
    instance_path: str,
    attributes: dict[str, Any] | None = None,
    scaffold_params: dict[str, Any] | None = None,
) -> dict[str, object]:
    """A new instance in one atomic write, only once its schema and the staged `dg check defs` accept it."""
    problems, kind = new_instance_problems(layout, catalog, component_type, instance_path, attributes)
    if problems:
        raise DesignerError(problems, kind=kind)
    with location_lock(layout.paths, layout.name):
        problems, kind = new_instance_problems(layout, catalog, component_type, instance_path, attributes)
        if problems:
            raise DesignerError(problems, kind=kind)
        files = new_instance_files(layout, component_type, instance_path, attributes, scaffold_params)
        problems = _files_problems(catalog, layout, files)
        if problems:
            raise DesignerError(problems)
        step = apply_change(layout, f"add {instance_path}", files)
    return _answer(layout, instance_path, step)


def instance_files(layout: LocationLayout, instance_path: str) -> list[Path]:
    """Every file of an instance's folder (its defs.yaml and anything beside it)."""
    return list(walk_files(existing_file(layout, instance_path).parent))
