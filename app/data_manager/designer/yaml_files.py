"""Component YAML read and written with ruamel.yaml: comments and key order survive, bombs are refused.

Aliases (`*name`) are refused outright: they are how a "billion laughs" file expands, and component files
need none. Size and nesting depth are bounded before anything is built from the text.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent

from data_manager.designer.problems import DesignerError, Problem

MAX_YAML_BYTES = 256 * 1024
MAX_DEPTH = 32


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def problems_in_text(text: str, file: str | None = None) -> list[Problem]:
    """Size, syntax, aliases and depth problems, found by streaming parser events (nothing is built)."""
    if len(text.encode()) > MAX_YAML_BYTES:
        return [Problem(f"YAML larger than {MAX_YAML_BYTES // 1024} KiB", file=file)]
    problems: list[Problem] = []
    depth = 0
    try:
        for event in _yaml().parse(io.StringIO(text)):
            if isinstance(event, AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else None
                problems.append(
                    Problem("YAML aliases (*name) are not allowed in component files", file=file, line=line)
                )
                if len(problems) >= 10:
                    break
            elif isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    problems.append(Problem(f"YAML nested deeper than {MAX_DEPTH} levels", file=file, line=line))
                    break
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problems.append(Problem(f"invalid YAML: {exc.problem or exc.context}", file=file, line=line))
    except YAMLError as exc:
        problems.append(Problem(f"invalid YAML: {exc}", file=file))
    return problems


def load_documents(text: str, file: str | None = None) -> list[Any]:
    """Every document of a YAML stream (round-trip types), after `problems_in_text` found nothing."""
    problems = problems_in_text(text, file)
    if problems:
        raise DesignerError(problems)
    return [document for document in _yaml().load_all(io.StringIO(text)) if document is not None]


def dump(document: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def plain(value: Any) -> Any:
    """Round-trip types as plain JSON-able Python values."""
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [plain(item) for item in value]
    return value


def _last_chain(node: Any) -> list[tuple[Any, Any]]:
    """(container, key) from `node` down through each last item, while the items are block collections."""
    chain = []
    while isinstance(node, CommentedMap | CommentedSeq) and len(node) and not node.fa.flow_style():
        last = next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1
        chain.append((node, last))
        node = node[last]
    return chain


def _comment_slot(container: Any) -> int:
    return 2 if isinstance(container, CommentedMap) else 0  # ruamel: a key's comment after its value / an item's


def _detach_trailing_comment(node: Any) -> Any:
    """The comment after `node`'s last item (at any depth), removed from there; None when there is none."""
    for container, key in reversed(_last_chain(node)):
        entry = container.ca.items.get(key)
        slot = _comment_slot(container)
        if entry and len(entry) > slot and entry[slot] is not None:
            token, entry[slot] = entry[slot], None
            return token
    return None


def _attach_trailing_comment(node: Any, token: Any) -> None:
    chain = _last_chain(node)
    if not chain:
        return
    container, key = chain[-1]
    slot = _comment_slot(container)
    entry = container.ca.items.setdefault(key, [None, None, None, None] if slot == 2 else [None, None])
    entry[slot] = token


def merge_into(target: CommentedMap, new: Mapping[str, Any]) -> CommentedMap:
    """Make `target` equal `new` in place: kept keys keep their comments and position, new keys go last.

    A comment trailing the mapping stays last: keys added after it land inside the mapping, above it."""
    token = _detach_trailing_comment(target)
    _merge(target, new)
    if token is not None:
        _attach_trailing_comment(target, token)
    return target


def _merge(target: CommentedMap, new: Mapping[str, Any]) -> CommentedMap:
    for key in [key for key in target if key not in new]:
        del target[key]
    for key, value in new.items():
        current = target.get(key)
        if isinstance(value, Mapping) and isinstance(current, CommentedMap):
            _merge(current, value)
        elif isinstance(value, list) and isinstance(current, CommentedSeq):
            _merge_list(current, value)
        elif key not in target or plain(current) != value:
            target[key] = value
    return target


def _merge_list(target: CommentedSeq, new: list) -> None:
    for index, value in enumerate(new):
        if index < len(target):
            current = target[index]
            if isinstance(value, Mapping) and isinstance(current, CommentedMap):
                _merge(current, value)
            elif plain(current) != value:
                target[index] = value
        else:
            target.append(value)
    del target[len(new) :]
