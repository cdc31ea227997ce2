"""Structured problems out of dg's text output: whole messages, one problem per pydantic field, and the
component each belongs to.

dg prints a component's validation errors (`dg check yaml`) as
    `attributes.mode.literal['full','incremental'] at /abs/.../defs.yaml:6`
      Input should be 'full' or 'incremental' [type=literal_error, ...]
and a component that fails to load or build (`dg check defs`, `dg list defs`) as
    ComponentTreeException: Error while loading component shop_sync[0]:
    <the component tree>
    The above exception was caused by the following exception:
    pydantic_core._pydantic_core.ValidationError: 2 validation errors for SqlTableSyncComponent
    mode
      Input should be 'full' or 'incremental' [type=literal_error, ...]
    ...
    Stack Trace: ...
Both become problems pinned to the component (`shop_sync`) and, for pydantic, to each field.
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
_INPUT_VALUE = re.compile(r"input_value=(?P<value>.*?)(?:, input_type=\w+)?\]\s*$")
_PYDANTIC_HEADER = re.compile(r"^(?:[\w.]+\.)?ValidationError: \d+ validation errors? for (?P<model>\S+)\s*$")
_EXCEPTION = re.compile(r"^(?:[A-Za-z_][\w.]*\.)?(?P<kind>[A-Z]\w*(?:Error|Exception)): (?P<message>.+)$")
_COMPONENT = re.compile(r"Error while (?:loading component|building definitions for) (?P<key>.+?)(?:\[[^\]]*\])?:$")
_CAUSED_BY = "The above exception was caused by the following exception:"
_VALIDATION_FAILED = re.compile(r" - ERROR - Validation failed for code location \S+:$")
_LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} - dagster - \w+ - ")
_GENERIC = ("ComponentTreeException", "DagsterUserCodeProcessError")
MAX_MESSAGE_CHARS = 4000


def clean(text: str) -> str:
    return _ANSI.sub("", text)


def pydantic_message(line: str) -> str:
    """`Input should be ... [type=..., input_value='x', input_type=str]` -> `Input should be ... (got 'x')`."""
    message = _PYDANTIC_DETAIL.sub("", line.strip())
    value = _INPUT_VALUE.search(line)
    if value and value["value"] not in ("{}", "[]") and len(value["value"]) <= 200:
        return f"{message} (got {value['value']})"
    return message


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


def _exception_block(lines: list[str], start: int) -> list[str]:
    """The exception text starting at `lines[start]`, up to its stack trace (or the next log line)."""
    block = []
    for line in lines[start:]:
        if line.strip() == "Stack Trace:" or _LOG_PREFIX.match(line) or line.strip() == _CAUSED_BY:
            break
        block.append(line.rstrip())
    while block and not block[-1].strip():
        block.pop()
    return block


def _pydantic_problems(block: list[str], component: str | None) -> list[Problem]:
    """`mode\\n  Input should be ...` pairs of a pydantic ValidationError: one problem per field."""
    problems = []
    for index, line in enumerate(block[1:], start=1):
        if not line or line.startswith(" "):
            continue
        message = block[index + 1].strip() if index + 1 < len(block) else "invalid"
        parts: list[str | int] = []
        for part in line.strip().split("."):  # `mode.literal['full','incremental']`: the field is `mode`
            if part.isdigit():
                parts.append(int(part))
            elif re.fullmatch(r"[A-Za-z_]\w*", part) and part not in ("literal", "str", "int", "list", "dict"):
                parts.append(part)
            else:
                break
        problems.append(
            Problem(
                message=pydantic_message(message),
                path=("attributes", *parts),
                component=component,
            )
        )
    return problems


def _whole(block: list[str]) -> str:
    text = "\n".join(line for line in block).strip()
    match = _EXCEPTION.match(text.splitlines()[0]) if text else None
    if match:  # `dagster._core.errors.DagsterInvalidDefinitionError: ...` -> `DagsterInvalidDefinitionError: ...`
        text = f"{match['kind']}: " + "\n".join([match["message"], *text.splitlines()[1:]])
    return text[:MAX_MESSAGE_CHARS]


def _load_failure_problems(lines: list[str]) -> list[Problem]:
    """A code location that failed to load: the component it names, and the root cause's whole text."""
    component = None
    for line in lines:
        match = _COMPONENT.search(line.strip())
        if match:
            component = match["key"]
            break
    causes = [index + 1 for index, line in enumerate(lines) if line.strip() == _CAUSED_BY]
    if causes:
        start = causes[-1]
    else:
        failed = [index + 1 for index, line in enumerate(lines) if _VALIDATION_FAILED.search(line)]
        if not failed:
            return []
        start = failed[0]
    while start < len(lines) and not lines[start].strip():
        start += 1
    block = _exception_block(lines, start)
    if not block:
        return []
    if _PYDANTIC_HEADER.match(block[0].strip()):
        problems = _pydantic_problems(block, component)
        if problems:
            return problems
    kind = _EXCEPTION.match(block[0].strip())
    if kind and kind["kind"] in _GENERIC and component is None:
        return []
    return [Problem(_whole(block), component=component)]


def problems_from_output(output: str, home: Path) -> list[Problem]:
    """Every located validation error; else a load failure's cause (whole, or per pydantic field); else every
    distinct exception line; else the last error line; else nothing."""
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
                message=pydantic_message(message),
                path=_field_path(match["loc"], file),
                file=_relative_file(match["file"], home),
                line=int(match["line"]),
            )
        )
    if located:
        return _dedupe(located)
    failure = _load_failure_problems(lines)
    if failure:
        return _dedupe(failure)
    exceptions = []
    for line in lines:
        match = _EXCEPTION.match(line.strip())
        if match and match["kind"] not in _GENERIC:
            exceptions.append(Problem(f"{match['kind']}: {match['message']}"))
    if exceptions:
        return _dedupe(exceptions)
    errors = [line.strip() for line in lines if "ERROR" in line or line.strip().lower().startswith("error")]
    return [Problem(errors[-1])] if errors else []


def failed_output_problems(output: str, home: Path, what: str) -> list[Problem]:
    """`problems_from_output`, or the whole output (trimmed) when nothing in it could be parsed."""
    problems = problems_from_output(output, home)
    if problems:
        return problems
    text = clean(output).strip()
    return [Problem(f"{what} failed: {text[-MAX_MESSAGE_CHARS:]}" if text else f"{what} failed with no output")]


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """Union branches repeat one field (`mode.literal[...]`, `mode.str`): keep the first message per place."""
    seen: set[tuple] = set()
    kept = []
    for problem in problems:
        key = (problem.file, problem.line, problem.path, problem.component, problem.path is None and problem.message)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept
