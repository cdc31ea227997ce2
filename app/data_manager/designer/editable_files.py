"""A location's own source files for the designer's editor: its package (defs YAML, Python) and its dbt folders.

Paths are relative to the project home, as the API shows them everywhere. Each passes one gate: no `..`, no
absolute paths, no hidden or symlinked parts, a known kind (SQL, YAML, Python), inside one of the location's
folders, and a size limit. A save validates first (YAML parses, Python compiles, a defs.yaml matches its type's
schema, then `dg check defs` on a staged copy of the location, after `dbt parse` for dbt files) and writes
atomically only when clean, as one step of the undo journal.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from data_manager.designer import instances, yaml_files
from data_manager.designer.catalog import Catalog
from data_manager.designer.files import walk_files
from data_manager.designer.layout import LocationLayout
from data_manager.designer.locking import location_lock
from data_manager.designer.problems import NOT_FOUND, DesignerError, Problem
from data_manager.designer.writes import apply_change
from data_manager.locations.model import Location

EDITABLE_SUFFIXES = {".sql": "sql", ".yaml": "yaml", ".yml": "yaml", ".py": "python"}
MAX_FILE_BYTES = 256 * 1024
MAX_PATH_DEPTH = 16
SAFE_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def editable_roots(layout: LocationLayout) -> list[Path]:
    """The location's package folder and its dbt folders (`Location` says which)."""
    location = Location.from_entry(layout.location, layout.paths)
    return [location.package_dir, *location.dbt_dirs]


def kind_of(path: str | Path) -> str | None:
    return EDITABLE_SUFFIXES.get(PurePosixPath(str(path)).suffix.lower())


def _path_problems(relative: str) -> list[str]:
    if not relative:
        return ["the file path is empty"]
    if relative.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", relative):
        return [f"{relative!r} is absolute; give a path relative to the project, as the file list shows it"]
    if "\\" in relative or "\0" in relative:
        return [f"{relative!r} contains a backslash or a NUL character"]
    parts = relative.split("/")
    problems = []
    if ".." in parts or "." in parts or "" in parts:
        problems.append(f"{relative!r} contains '..', '.' or an empty folder name")
    elif len(parts) > MAX_PATH_DEPTH:
        problems.append(f"{relative!r} is deeper than {MAX_PATH_DEPTH} folders")
    else:
        problems += [
            f"{part!r} in {relative!r} is hidden or has unusual characters"
            for part in parts
            if not SAFE_PART.match(part)
        ]
    if kind_of(relative) is None:
        problems.append(f"{relative!r} is not a SQL, YAML or Python file (.sql, .yaml, .yml, .py)")
    return problems


def _symlink_problem(layout: LocationLayout, path: Path, root: Path) -> str | None:
    for part in [path, *path.parents]:
        if part.is_symlink():
            return f"{layout.relative(part)} is a symlink; the designer edits no file through a symlink"
        if part == root:
            break
    resolved_root = root.resolve()
    if path.exists() and resolved_root not in path.resolve().parents:
        return f"{layout.relative(path)} resolves outside location {layout.name!r}"
    return None


def checked_path(layout: LocationLayout, relative: str) -> Path:
    """The absolute path of one of the location's editable files; every problem with `relative` refused (422)."""
    problems = _path_problems(relative)
    path = layout.paths.home.joinpath(*relative.split("/")) if not problems else None
    root = next((root for root in editable_roots(layout) if path and root in path.parents), None)
    if path is not None and root is None:
        folders = ", ".join(layout.relative(root) for root in editable_roots(layout))
        problems.append(f"{relative!r} is not one of location {layout.name!r}'s files (its folders: {folders})")
    if path is not None and root is not None:
        symlink = _symlink_problem(layout, path, root)
        problems += [symlink] if symlink else []
    if problems or path is None:
        raise DesignerError([Problem(problem, path=("path",)) for problem in problems])
    return path


def list_files(layout: LocationLayout) -> dict[str, object]:
    files = []
    for root in editable_roots(layout):
        if not root.is_dir() or root.is_symlink():
            continue
        for path in walk_files(root):
            relative = layout.relative(path)
            if kind_of(path) and not _path_problems(relative):
                files.append({"path": relative, "kind": kind_of(path), "size": path.stat().st_size})
    return {
        "location": layout.name,
        "roots": [layout.relative(root) for root in editable_roots(layout)],
        "files": files,
    }


def read_file(layout: LocationLayout, relative: str) -> dict[str, object]:
    path = checked_path(layout, relative)
    if not path.is_file():
        raise DesignerError([Problem(f"no file {relative!r} in location {layout.name!r}", path=("path",))], NOT_FOUND)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DesignerError([f"{relative} is larger than {MAX_FILE_BYTES // 1024} KiB; edit it outside the designer"])
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DesignerError([f"{relative} is not UTF-8 text"]) from None
    return {"location": layout.name, "path": relative, "kind": kind_of(path), "content": content}


def content_problems(layout: LocationLayout, catalog: Catalog, path: Path, content: str) -> list[Problem]:
    """What is wrong with `content` as `path` on its own (size, syntax, a defs.yaml's schema); the staged
    `dg check defs` of the whole location comes after, in `writes.apply_change`."""
    relative = layout.relative(path)
    if len(content.encode("utf-8")) > MAX_FILE_BYTES:
        return [Problem(f"the file is larger than {MAX_FILE_BYTES // 1024} KiB", file=relative)]
    kind = kind_of(path)
    if kind == "yaml" and path.name == instances.DEFS_FILE and layout.defs_dir in path.parents:
        problems = instances.yaml_problems(catalog, content, relative)
    elif kind == "yaml":
        problems = yaml_files.problems_in_text(content, relative)
    elif kind == "python":
        problems = _python_problems(content, relative)
    else:
        problems = [Problem("the file holds a NUL character", file=relative)] if "\0" in content else []
    return problems


def _python_problems(content: str, relative: str) -> list[Problem]:
    try:
        compile(content, relative, "exec", dont_inherit=True)
    except SyntaxError as exc:
        return [Problem(f"Python syntax error: {exc.msg}", file=relative, line=exc.lineno)]
    except ValueError as exc:
        return [Problem(f"Python cannot compile it: {exc}", file=relative)]
    return []


def write_file(layout: LocationLayout, catalog: Catalog, relative: str, content: str) -> dict[str, object]:
    """Validate, then replace (or create) the file through `writes.apply_change` (the staged `dg check defs`,
    after `dbt parse` for dbt files; the journal); refused: nothing written."""
    path = checked_path(layout, relative)
    with location_lock(layout.paths, layout.name):
        problems = content_problems(layout, catalog, path, content)
        if problems:
            raise DesignerError(problems)
        step = apply_change(layout, f"edit {relative}", {path: content.encode()})
    return {
        "location": layout.name,
        "path": relative,
        "kind": kind_of(path),
        "size": path.stat().st_size,
        "step": step.as_dict() if step else None,
    }
