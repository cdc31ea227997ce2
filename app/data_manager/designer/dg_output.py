"""Structured problems out of dg's text output (pydantic validation blocks, exception lines).

dg prints a component's validation errors as
    `attributes.mode.literal['full','incremental'] at /abs/.../defs.yaml:6`
      Input should be 'full' or 'incremental' [type=literal_error, ...]
which becomes Problem(path=("attributes", "mode"), file="app/.../defs.yaml", line=6, message=...).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from data_manager.designer import yaml_files
from data_manager.designer.problems import Problem

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LOCATED = re.compile(r"^`(?P<loc>[^`]*?) at (?P<file>[^`]+?):(?P<line>\d+)`\s*$")
_PYDANTIC_DETAIL = re.compile(r"\s*\[type=[^\]]*\]\s*$")
_EXCEPTION = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?(?P<kind>[A-Z]\w*(?:Error|Exception)): (?P<message>.+)$")
_GENERIC = ("ComponentTreeException", "DagsterUserCodeProcessError")


def clean(text: str) -> str:
    return _ANSI.sub("", text)


def _relative_file(file: str, home: Path) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to(home.resolve()).as_posix()
    except ValueError:
        return file


def _field_path(loc: str, file: Path) -> tuple[str | int, ...]:
    """The part of pydantic's location that names a field, found by walking the file's document."""
    parts: list[str | int] = [int(part) if part.isdigit() else part for part in loc.split(".") if part]
    try:
        documents = [yaml_files.plain(doc) for doc in yaml_files.load_documents(file.read_text())]
    except (OSError, ValueError):
        return tuple(parts)
    node: Any = documents[0] if documents else {}
    kept: list[str | int] = []
    for part in parts:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and re.fullmatch(r"[A-Za-z_]\w*", part):
            kept.append(part)  # a missing field: keep it, then stop
            break
        else:
            break
        kept.append(part)
    return tuple(kept)


def problems_from_output(output: str, home: Path) -> list[Problem]:
    """Every located validation error; else every distinct exception line; else nothing."""
    lines = clean(output).splitlines()
    located: list[Problem] = []
    for index, line in enumerate(lines):
        match = _LOCATED.match(line.strip())
        if not match:
            continue
        message = lines[index + 1].strip() if index + 1 < len(lines) else "invalid"
        file = Path(match["file"])
        located.append(
            Problem(
                message=_PYDANTIC_DETAIL.sub("", message),
                path=_field_path(match["loc"], file),
                file=_relative_file(match["file"], home),
                line=int(match["line"]),
            )
        )
    if located:
        return _dedupe(located)
    exceptions = []
    for line in lines:
        match = _EXCEPTION.match(line.strip())
        if match and match["kind"] not in _GENERIC:
            exceptions.append(Problem(f"{match['kind']}: {match['message']}"))
    if exceptions:
        return _dedupe(exceptions)
    errors = [line.strip() for line in lines if "ERROR" in line or line.strip().lower().startswith("error")]
    return [Problem(errors[-1])] if errors else []


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """Union branches repeat one field (`mode.literal[...]`, `mode.str`): keep the first message per place."""
    seen: set[tuple] = set()
    kept = []
    for problem in problems:
        key = (problem.file, problem.line, problem.path)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept
