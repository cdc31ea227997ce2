"""The components catalog: dg's component types with their defs.yaml JSON Schema, description and example.

Building it runs dg once per type (about a minute cold), so it is cached in memory and on disk under
`.data/cache/designer/`, keyed by what can change it: uv.lock, this platform's components and dg's version.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from data_manager.atomic_files import write_atomic
from data_manager.designer.dg import commands as dg_commands
from data_manager.designer.problems import FAILED, NOT_FOUND, DesignerError
from data_manager.paths import ProjectPaths

CATALOG_TIMEOUT_S = 600.0
_COMPONENTS_PACKAGE = Path(__file__).resolve().parents[1] / "components"


@dataclass(frozen=True)
class ComponentType:
    key: str
    package: str
    name: str
    summary: str
    description: str
    example: str
    schema: dict

    def summary_dict(self) -> dict[str, str]:
        return {"key": self.key, "package": self.package, "name": self.name, "summary": self.summary}

    def as_dict(self) -> dict[str, object]:
        return {**self.summary_dict(), "description": self.description, "example": self.example, "schema": self.schema}

    @property
    def attributes_schema(self) -> dict:
        """The JSON Schema of `attributes` with the document's `$defs`, ready to validate attributes alone.

        Dagster lets any resolvable field be a `{{ template }}` string, so its schema offers a plain string
        beside the real type (`anyOf: [{enum: [full, incremental]}, {type: string}]`), which would accept
        `mode: sometimes` (or `group_name: my group!` beside its pattern). Here that string branch only
        accepts templates; `str | None` stays as it is.
        """
        attributes = dict(self.schema.get("properties", {}).get("attributes", {}))
        if "$defs" in self.schema:
            attributes["$defs"] = self.schema["$defs"]
        return templates_only_where_typed(attributes)


STRING_CONSTRAINTS = {"enum", "pattern", "maxLength", "minLength", "format", "const"}
TEMPLATE_STRING = {"type": "string", "pattern": r"\{\{.*\}\}", "description": "a {{ template }}"}


def templates_only_where_typed(node: Any) -> Any:
    """A copy of `node` where each template-alternative string branch of an anyOf requires `{{ ... }}`."""
    if isinstance(node, list):
        return [templates_only_where_typed(item) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: templates_only_where_typed(value) for key, value in node.items()}
    branches = copied.get("anyOf")
    if isinstance(branches, list):
        typed = [b for b in branches if isinstance(b, dict) and b.get("type") not in ("string", "null")]
        typed += [
            b for b in branches if isinstance(b, dict) and b.get("type") == "string" and STRING_CONSTRAINTS & set(b)
        ]
        if typed:
            copied["anyOf"] = [TEMPLATE_STRING if branch == {"type": "string"} else branch for branch in branches]
    return copied


def fingerprint(paths: ProjectPaths) -> str:
    digest = hashlib.sha256(version("dagster-dg-cli").encode())
    lock = paths.home / "uv.lock"
    if lock.is_file():
        digest.update(lock.read_bytes())
    for source in sorted(_COMPONENTS_PACKAGE.rglob("*.py")):
        digest.update(source.name.encode() + source.read_bytes())
    return digest.hexdigest()[:16]


def _parse(document: dict) -> dict[str, ComponentType]:
    types = {}
    for item in document["components"]:
        key = item["key"]
        details = document["types"][key]
        package, _, name = key.rpartition(".")
        types[key] = ComponentType(
            key=key,
            package=package,
            name=name,
            summary=item.get("summary") or "",
            description=details["description"],
            example=details["example"],
            schema=details["schema"],
        )
    return types


class Catalog:
    """One per process; thread-safe. `get()` is a dictionary lookup once warm."""

    def __init__(self, paths: ProjectPaths):
        self.paths = paths
        self._lock = threading.Lock()
        self._types: dict[str, ComponentType] | None = None
        self._encoded: dict[str, bytes] = {}
        self._fingerprint = ""

    @property
    def warm(self) -> bool:
        return self._types is not None

    def encoded(self, what: str) -> bytes:
        """JSON bytes of `listing`, `listing+schemas` or one type key, encoded once per catalog build."""
        types = self.types()
        if what not in self._encoded:
            if what in ("listing", "listing+schemas"):
                items = [
                    c.as_dict() if what == "listing+schemas" else {**c.summary_dict(), "description": c.description}
                    for c in types.values()
                ]
                document: dict[str, object] = {"components": items, "count": len(items)}
            else:
                document = self.get(what).as_dict()
            self._encoded[what] = json.dumps(document).encode()
        return self._encoded[what]

    @property
    def cache_file(self) -> Path:
        return (
            self.paths.data_dir / "cache" / "designer" / f"catalog-{self._fingerprint or fingerprint(self.paths)}.json"
        )

    def types(self, refresh: bool = False) -> dict[str, ComponentType]:
        if self._types is not None and not refresh:
            return self._types
        with self._lock:
            if self._types is not None and not refresh:
                return self._types
            self._fingerprint = fingerprint(self.paths)
            document = None if refresh else self._read_cache()
            if document is None:
                document = self._build()
                write_atomic(self.cache_file, json.dumps(document))
            self._encoded = {}
            self._types = _parse(document)
            return self._types

    def get(self, key: str) -> ComponentType:
        types = self.types()
        if key not in types:
            raise DesignerError([f"unknown component type {key!r}; see GET /api/designer/components"], kind=NOT_FOUND)
        return types[key]

    def _read_cache(self) -> dict | None:
        try:
            return json.loads(self.cache_file.read_text())
        except (OSError, ValueError):
            return None

    def _build(self) -> dict:
        result = dg_commands.run(
            self.paths, self.paths.home, ["catalog"], CATALOG_TIMEOUT_S, python_module=dg_commands.BATCH_MODULE
        )
        if not result.ok:
            raise DesignerError([f"listing component types failed: {result.last_error_line()}"], kind=FAILED)
        document = dg_commands.parse_json(result)
        if not isinstance(document, dict) or "components" not in document:
            raise DesignerError(["listing component types printed an unexpected document"], kind=FAILED)
        return document


_catalogs: dict[Path, Catalog] = {}


def catalog_for(paths: ProjectPaths) -> Catalog:
    """The process's catalog for a project home (the API keeps it warm between requests)."""
    return _catalogs.setdefault(paths.home, Catalog(paths))
