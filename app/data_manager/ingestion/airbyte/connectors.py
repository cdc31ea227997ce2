"""Connector configurations: `external-connectors/<name>.yaml`, validated with pydantic.

A file looks like::

    version: 1
    name: source-faker
    connector_type: source
    pip_url: airbyte-source-faker==6.2.21      # or: manifest: manifests/my-api.yaml
    config:
      count: 50
      api_key: ${MY_API_KEY}                   # resolved from the environment at run time

`manifest` is a declarative-manifest YAML path relative to the connectors folder; a `components.py`
next to it is picked up by PyAirbyte. `${VAR}` references are only resolved by `resolve_config`,
right before a sync, so secrets never sit in a model that could be printed or logged.
Files whose name starts with `_` (for example `_caches.yaml`) are not connectors.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from data_manager.errors import UserError
from data_manager.paths import connectors_dir, project_root

_VALID_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConnectorConfig(BaseModel):
    """One connector file. `config` keeps `${VAR}` references unresolved."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    name: str
    connector_type: Literal["source"]
    pip_url: str | None = None
    manifest: str | None = None
    description: str | None = None
    config: dict[str, Any]

    @model_validator(mode="before")
    @classmethod
    def _version_as_text(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("version"), int | float):
            data = {**data, "version": str(data["version"])}
        return data

    @model_validator(mode="after")
    def _exactly_one_install_method(self) -> ConnectorConfig:
        if bool(self.pip_url) == bool(self.manifest):
            raise ValueError("set exactly one of `pip_url` or `manifest`")
        return self

    def env_references(self) -> list[str]:
        """Names of the environment variables `config` refers to, in order of first use."""
        names: list[str] = []
        for text in _strings(self.config):
            for name in _ENV_REF.findall(text):
                if name not in names:
                    names.append(name)
        return names


@dataclass(frozen=True)
class Connector:
    """A loaded connector: its lookup name (the file stem), the file and the validated config."""

    lookup_name: str
    path: Path
    spec: ConnectorConfig

    @property
    def manifest_path(self) -> Path | None:
        if not self.spec.manifest:
            return None
        path = Path(self.spec.manifest).expanduser()
        return path if path.is_absolute() else self.path.parent / path


@dataclass(frozen=True)
class ResolvedConfig:
    """`config` with `${VAR}` substituted. `secret_values` lets callers redact them from error texts."""

    config: dict[str, Any]
    secret_values: tuple[str, ...] = field(repr=False)

    def __repr__(self) -> str:  # never show values
        return f"ResolvedConfig(keys={sorted(self.config)})"


def validate_connector_name(connector_name: str) -> str:
    if not isinstance(connector_name, str) or not _VALID_NAME.match(connector_name):
        raise UserError(
            f"invalid connector name {connector_name!r}: use letters, digits, '.', '_' or '-' (the file stem in "
            f"{_display(connectors_dir())})"
        )
    return connector_name


def list_connectors(directory: Path | None = None) -> list[str]:
    """Lookup names of every connector file in the folder, sorted."""
    directory = directory or connectors_dir()
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.glob("*.yaml") if not p.name.startswith("_"))


def get_connector_by_name(connector_name: str, directory: Path | None = None) -> Connector:
    """Load and validate `<connectors dir>/<connector_name>.yaml`; a clear UserError names the file and field."""
    validate_connector_name(connector_name)
    directory = directory or connectors_dir()
    path = directory / f"{connector_name}.yaml"
    if not path.is_file():
        known = ", ".join(list_connectors(directory)) or "none"
        raise UserError(f"unknown connector {connector_name!r}: no file {_display(path)} (known connectors: {known})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise UserError(f"connector file {_display(path)} is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise UserError(f"connector file {_display(path)} must be a YAML mapping with version, name, ... fields")
    try:
        spec = ConnectorConfig.model_validate(data)
    except ValidationError as exc:
        raise UserError(f"connector file {_display(path)}: {_describe_validation_error(exc)}") from None
    connector = Connector(lookup_name=connector_name, path=path, spec=spec)
    manifest = connector.manifest_path
    if manifest is not None and not manifest.is_file():
        raise UserError(
            f"connector file {_display(path)}: field `manifest` points to {_display(manifest)}, which does not exist"
        )
    return connector


def resolve_config(connector: Connector, environ: Mapping[str, str] | None = None) -> ResolvedConfig:
    """Substitute `${VAR}` references from the environment. An unset variable is an error naming it, never a value."""
    source = os.environ if environ is None else environ
    missing = [name for name in connector.spec.env_references() if name not in source]
    if missing:
        names = ", ".join(missing)
        plural = "s" if len(missing) > 1 else ""
        raise UserError(
            f"connector {connector.lookup_name!r} ({_display(connector.path)}) needs environment variable{plural} "
            f"{names}, which {'are' if plural else 'is'} not set"
        )
    secrets: list[str] = []

    def substitute(value: Any) -> Any:
        if isinstance(value, str):

            def replace(match: re.Match[str]) -> str:
                secret = source[match.group(1)]
                if secret:
                    secrets.append(secret)
                return secret

            return _ENV_REF.sub(replace, value)
        if isinstance(value, dict):
            return {key: substitute(item) for key, item in value.items()}
        if isinstance(value, list):
            return [substitute(item) for item in value]
        return value

    config = substitute(connector.spec.config)
    return ResolvedConfig(config=config, secret_values=tuple(sorted(set(secrets), key=len, reverse=True)))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        location = ".".join(str(item) for item in error["loc"])
        if error["type"] == "missing":
            parts.append(f"field `{location}` is missing")
        elif error["type"] == "extra_forbidden":
            parts.append(f"field `{location}` is not allowed")
        elif error["type"] == "literal_error" and location == "connector_type":
            parts.append("field `connector_type` must be `source`")
        elif location:
            parts.append(f"field `{location}`: {error['msg']}")
        else:
            parts.append(str(error["msg"]).removeprefix("Value error, "))
    return "; ".join(parts)


def _display(path: Path) -> str:
    """A short path for messages: relative to the repo root when inside it."""
    try:
        return str(path.resolve().relative_to(project_root()))
    except ValueError:
        return str(path)
