"""Read and write `code-locations.json`, turning every problem into one readable line."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from data_manager.errors import UserError
from data_manager.locations.registry import Registry


def _describe_location(raw: object, index: int) -> str:
    try:
        name = raw["code_locations"][index]["name"]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        return f"code_locations[{index}]"
    return f"code_locations[{index}] ({name!r})"


def format_validation_error(path: Path, raw: object, error: ValidationError) -> str:
    """One line per registry problem: file, entry, field and reason (first problem only)."""
    first = error.errors()[0]
    loc = list(first["loc"])
    where: list[str] = []
    if len(loc) >= 2 and loc[0] == "code_locations" and isinstance(loc[1], int):
        where.append(_describe_location(raw, loc[1]))
        loc = loc[2:]
    where.extend(str(part) for part in loc)
    message = first["msg"].removeprefix("Value error, ")
    location = ".".join(where)
    return f"{path.name}: {location + ': ' if location else ''}{message}"


def parse_registry(path: Path, text: str) -> Registry:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path.name}:{exc.lineno}:{exc.colno}: malformed JSON: {exc.msg}") from None
    try:
        return Registry.model_validate(raw)
    except ValidationError as exc:
        raise UserError(format_validation_error(path, raw, exc)) from None


def load_registry(path: Path) -> Registry:
    if not path.is_file():
        raise UserError(f"registry not found: {path} (set DATA_PLATFORM_HOME or run from the repository)")
    return parse_registry(path, path.read_text())


def dump_registry(registry: Registry) -> str:
    return json.dumps(registry.model_dump(mode="json"), indent=2) + "\n"
