"""The environment variables a location's files reference (`{{ env.X }}`, `env: X`, `*_env: X`), and whether
each is set. Values are never read out."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from data_manager.designer.files import walk_files
from data_manager.designer.layout import LocationLayout

TEMPLATE_REF = re.compile(
    r"\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\{\{\s*env\(\s*['\"]([A-Za-z_][A-Za-z0-9_]*)['\"]\s*\)\s*\}\}"
)
# This platform's components name variables in attributes such as `password_env: MYSQL_PASSWORD`.
NAMED_REF = re.compile(r"^\s*[A-Za-z_]*_env:\s*['\"]?([A-Z_][A-Z0-9_]*)['\"]?\s*(?:#.*)?$", re.MULTILINE)
SCANNED_SUFFIXES = (".yaml", ".yml", ".sql", ".toml")


@dataclass
class EnvReference:
    name: str
    files: list[str] = field(default_factory=list)

    def as_dict(self, environ: Mapping[str, str]) -> dict[str, object]:
        return {"name": self.name, "set": bool(environ.get(self.name)), "files": self.files}


def env_references(layout: LocationLayout, environ: Mapping[str, str] | None = None) -> list[dict[str, object]]:
    found: dict[str, EnvReference] = {}
    for path in walk_files(layout.project_dir):
        if path.suffix not in SCANNED_SUFFIXES or path.stat().st_size > 1024 * 1024:
            continue
        text = path.read_text(errors="replace")
        names = {a or b for a, b in TEMPLATE_REF.findall(text)} | set(NAMED_REF.findall(text))
        for name in sorted(names):
            reference = found.setdefault(name, EnvReference(name))
            reference.files.append(layout.relative(path))
    source = os.environ if environ is None else environ
    return [found[name].as_dict(source) for name in sorted(found)]
