"""The code-location registry: `code-locations.json`, validated by pydantic."""

from __future__ import annotations

import keyword
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from data_manager.ingestion.naming import POSTGRES_MAX_IDENTIFIER

PORT_RANGE = range(4266, 4300)
PACKAGE_ROOT = "dagster_code"  # every location package is `dagster_code.<name>`
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# Names that would shadow the standard library, our packages or Dagster itself.
RESERVED_NAMES = frozenset(
    {
        "platform",
        "dagster",
        "dagster_code",
        "data_manager",
        "daglab",
        "app",
        "tests",
        "test",
        "dbt",
        "airbyte",
        "sys",
        "os",
        "json",
        "typing",
        "types",
        "io",
        "re",
        "abc",
        "collections",
        "logging",
        "string",
        "time",
        "site",
        "code",
        "templates",
        "all",
        "none",
    }
)


def default_module(name: str) -> str:
    """The package of location `name` unless its registry entry names another module."""
    return f"{PACKAGE_ROOT}.{name}"


def name_problem(name: str) -> str | None:
    """Why `name` is not a valid location name, or None when it is."""
    if not name:
        return "the name is empty"
    if not NAME_PATTERN.match(name):
        return f"{name!r} is not a valid name: use lower-case letters, digits and underscores, starting with a letter"
    if len(name) > POSTGRES_MAX_IDENTIFIER:
        return f"{name!r} is longer than {POSTGRES_MAX_IDENTIFIER} characters (tables are named after the location)"
    if keyword.iskeyword(name) or name in RESERVED_NAMES:
        return f"{name!r} is reserved"
    return None


class LocationMetadata(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team: str = "data"
    domain: str = ""
    version: str = "1.0.0"


class CodeLocation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    enabled: bool = True
    description: str = ""
    module: str = ""
    port: int
    host: str = "data-manager"
    metadata: LocationMetadata = Field(default_factory=LocationMetadata)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        problem = name_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("port")
    @classmethod
    def _port_in_range(cls, value: int) -> int:
        if value not in PORT_RANGE:
            raise ValueError(f"port {value} is outside {PORT_RANGE.start}-{PORT_RANGE.stop - 1}")
        return value

    @model_validator(mode="after")
    def _default_module(self) -> CodeLocation:
        if not self.module:
            self.module = default_module(self.name)
        return self


class WorkspaceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workspace_name: str = "data-platform-workspace"
    description: str = "Data platform Dagster workspace"
    version: str = "1.0.0"


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code_locations: list[CodeLocation] = Field(default_factory=list)
    config: WorkspaceConfig = Field(default_factory=WorkspaceConfig)

    @model_validator(mode="after")
    def _unique(self) -> Registry:
        seen_names: set[str] = set()
        seen_ports: dict[int, str] = {}
        for location in self.code_locations:
            if location.name in seen_names:
                raise ValueError(f"duplicate location name {location.name!r}")
            seen_names.add(location.name)
            if location.port in seen_ports:
                raise ValueError(
                    f"port {location.port} is used by both {seen_ports[location.port]!r} and {location.name!r}"
                )
            seen_ports[location.port] = location.name
        return self

    @property
    def enabled(self) -> list[CodeLocation]:
        return [location for location in self.code_locations if location.enabled]

    def get(self, name: str) -> CodeLocation | None:
        return next((location for location in self.code_locations if location.name == name), None)

    def next_free_port(self) -> int:
        used = {location.port for location in self.code_locations}
        for port in PORT_RANGE:
            if port not in used:
                return port
        raise ValueError(f"every port in {PORT_RANGE.start}-{PORT_RANGE.stop - 1} is taken")
