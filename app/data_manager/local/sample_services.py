"""What a location needs from `make dev` besides its code server, declared by the location itself.

A location may hold `local_dev.yaml` in its package (the samples do):

    prepare:            # run once before the code servers start; a failure is a warning
      - title: seeding the sample MySQL database
        command: [python, samples/mysql/seed_mysql.py]
    services:           # long-running helpers, supervised like the platform's roles
      sample-api: [python, -m, sample_api, --host, 127.0.0.1, --port, "${SAMPLE_API_PORT}"]

`python` is this environment's interpreter, `${NAME}` a setting's value, and commands run in the
project home. The platform itself knows no sample by name.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from data_manager.errors import UserError
from data_manager.locations.registry import CodeLocation
from data_manager.paths import ProjectPaths
from data_manager.settings import env

DECLARATION_FILE = "local_dev.yaml"


class PrepareStep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    command: list[str]


class LocalDev(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prepare: list[PrepareStep] = []
    services: dict[str, list[str]] = {}


@dataclass
class SampleDeclarations:
    prepare: list[tuple[str, list[str]]] = field(default_factory=list)
    services: dict[str, list[str]] = field(default_factory=dict)


def expand(command: list[str]) -> list[str]:
    """`python` becomes this interpreter; `${NAME}` the setting's value (or default)."""
    expanded = [re.sub(r"\$\{([A-Z0-9_]+)\}", lambda m: env(m.group(1)), part) for part in command]
    return [sys.executable if part == "python" else part for part in expanded]


def sample_declarations(paths: ProjectPaths, locations: list[CodeLocation]) -> SampleDeclarations:
    found = SampleDeclarations()
    for location in locations:
        path = paths.location_dir(location.name) / DECLARATION_FILE
        if not path.is_file():
            continue
        try:
            declared = LocalDev.model_validate(yaml.safe_load(path.read_text()) or {})
        except (yaml.YAMLError, ValidationError) as exc:
            first = str(exc).strip().splitlines()
            raise UserError(f"{path.relative_to(paths.home)} is not valid: {' '.join(first[:3])}") from None
        found.prepare += [(step.title, expand(step.command)) for step in declared.prepare]
        for name, command in declared.services.items():
            if name in found.services:
                raise UserError(f"{path.relative_to(paths.home)}: service {name!r} is declared twice")
            found.services[name] = expand(command)
    return found
