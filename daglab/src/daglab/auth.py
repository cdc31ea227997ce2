"""Authentication headers for a Dagster webserver; secrets are SecretStr so they never show in reprs or logs."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, model_validator

from daglab.errors import UsageError

DAGSTER_CLOUD_HEADER = "Dagster-Cloud-Api-Token"


class AuthType(str, Enum):  # noqa: UP042 (StrEnum needs 3.11; daglab supports 3.10)
    """How the credentials are sent."""

    bearer = "bearer"
    basic = "basic"
    custom = "custom"
    dagster_cloud = "dagster_cloud"


class AuthConfig(BaseModel):
    """Credentials for one server. ``headers()`` is the only place secret values are revealed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: AuthType = AuthType.bearer
    token: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    header_name: str | None = None
    custom_headers: dict[str, SecretStr] = {}

    @model_validator(mode="after")
    def _check_complete(self) -> AuthConfig:
        if self.type in (AuthType.bearer, AuthType.dagster_cloud) and self.token is None:
            raise ValueError(f"auth type {self.type.value} needs a token")
        if self.type is AuthType.basic and (self.username is None or self.password is None):
            raise ValueError("auth type basic needs a username and a password")
        if self.type is AuthType.custom and self.token is None and not self.custom_headers:
            raise ValueError("auth type custom needs a token (sent in header_name) or custom_headers")
        if self.type is AuthType.custom and self.token is not None and not self.header_name:
            raise ValueError("auth type custom with a token needs header_name")
        return self

    def headers(self) -> dict[str, str]:
        """The HTTP headers to send; the only method that reveals secret values."""
        headers: dict[str, str] = {}
        token = self.token.get_secret_value() if self.token else None
        if self.type is AuthType.bearer and token:
            headers[self.header_name or "Authorization"] = f"Bearer {token}"
        elif self.type is AuthType.basic and self.username is not None and self.password is not None:
            raw = f"{self.username}:{self.password.get_secret_value()}".encode()
            headers[self.header_name or "Authorization"] = "Basic " + base64.b64encode(raw).decode("ascii")
        elif self.type is AuthType.dagster_cloud and token:
            headers[self.header_name or DAGSTER_CLOUD_HEADER] = token
        elif self.type is AuthType.custom and token and self.header_name:
            headers[self.header_name] = token
        headers.update({k: v.get_secret_value() for k, v in self.custom_headers.items()})
        return headers

    def secret_values(self) -> list[str]:
        """Every secret string (and its encodings on the wire), so error texts can be scrubbed of them."""
        values = [s.get_secret_value() for s in (self.token, self.password) if s is not None]
        values += [v.get_secret_value() for v in self.custom_headers.values()]
        values += [v for k, v in self.headers().items() if k.lower() == "authorization"]
        return [v for v in values if v]

    def describe(self) -> str:
        """A safe one-line description for --verbose output."""
        names = ", ".join(sorted(self.headers())) or "none"
        return f"auth type={self.type.value} headers=[{names}] (values hidden)"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AuthConfig:
        """Build from a mapping (e.g. a YAML/JSON section); raises UsageError naming what is wrong."""
        try:
            return cls.model_validate(dict(config))
        except ValueError as exc:
            raise UsageError(f"invalid auth config: {_first_error(exc)}") from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuthConfig | None:
        """Read DAGLAB_AUTH_TYPE, DAGLAB_TOKEN, DAGLAB_USERNAME, DAGLAB_PASSWORD, DAGLAB_AUTH_HEADER,
        DAGLAB_HEADERS (JSON object or k=v,k2=v2) and DAGSTER_CLOUD_API_TOKEN; None when nothing is set."""
        env = os.environ if environ is None else environ
        token = env.get("DAGLAB_TOKEN") or None
        username = env.get("DAGLAB_USERNAME") or None
        password = env.get("DAGLAB_PASSWORD") or None
        header_name = env.get("DAGLAB_AUTH_HEADER") or None
        custom = parse_headers(env.get("DAGLAB_HEADERS", ""))
        cloud_token = env.get("DAGSTER_CLOUD_API_TOKEN") or None
        kind = env.get("DAGLAB_AUTH_TYPE") or None
        if kind is None:
            if token:
                kind = "custom" if header_name and header_name.lower() != "authorization" else "bearer"
            elif username or password:
                kind = "basic"
            elif cloud_token:
                kind = "dagster_cloud"
            elif custom:
                kind = "custom"
            else:
                return None
        if kind == "dagster_cloud" and not token:
            token = cloud_token
        data: dict[str, Any] = {"type": kind, "token": token, "username": username, "password": password}
        data.update(header_name=header_name, custom_headers=custom)
        return cls.from_config(data)


def parse_headers(text: str) -> dict[str, str]:
    """Parse extra headers given as a JSON object or as ``k=v,k2=v2``."""
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError:
            raise UsageError("DAGLAB_HEADERS is not valid JSON") from None
        if not isinstance(loaded, dict):
            raise UsageError("DAGLAB_HEADERS must be a JSON object")
        return {str(k): str(v) for k, v in loaded.items()}
    headers: dict[str, str] = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"invalid header entry {name.strip()!r}: expected name=value")
        headers[name.strip()] = value.strip()
    return headers


def _first_error(exc: ValueError) -> str:
    """One line from a pydantic error without echoing input values (they may be secrets)."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors(include_input=False)[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "auth"
        return f"{where}: {first.get('msg', 'invalid')}"
    return "invalid value"
