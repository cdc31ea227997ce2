"""Loading run config from files or strings, and connection settings from options/environment."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from daglab.auth import AuthConfig, AuthType
from daglab.errors import UsageError


def parse_run_config(text: str, source: str) -> dict[str, Any]:
    """Parse YAML or JSON text into a mapping; anything else is a UsageError naming the source."""
    try:
        loaded = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise UsageError(f"{source} is not valid YAML/JSON{where}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UsageError(f"{source} must contain a mapping (e.g. ops: ...), not {type(loaded).__name__}")
    return loaded


def load_run_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a YAML or JSON run config file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read run config {file}: {exc.strerror or exc}") from None
    if file.suffix.lower() == ".json":
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{file} is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
        if not isinstance(loaded, dict):
            raise UsageError(f"{file} must contain a JSON object")
        return loaded
    return parse_run_config(text, str(file))


def resolve_auth(token: str | None = None, header_name: str | None = None) -> AuthConfig | None:
    """An explicit token wins (bearer, or custom when a non-Authorization header is named); else the environment."""
    if token:
        custom = header_name is not None and header_name.lower() != "authorization"
        kind = AuthType.custom if custom else AuthType.bearer
        return AuthConfig.from_config({"type": kind, "token": token, "header_name": header_name})
    return AuthConfig.from_env()
