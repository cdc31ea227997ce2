"""Typed errors: callers (and the CLI's exit codes) branch on the class, never on message text."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class DaglabError(Exception):
    """Base class of every error daglab raises on purpose."""


class UsageError(DaglabError):
    """The caller asked for something inconsistent (ambiguous location, bad option value, unreadable config)."""


class DagsterConnectionError(DaglabError):
    """The webserver could not be reached, or kept failing (5xx/429) after every retry."""


class DagsterGraphQLError(DaglabError):
    """The server answered with GraphQL errors or an error union member; carries the server's message."""

    def __init__(self, message: str, *, server_message: str | None = None, status_code: int | None = None) -> None:
        super().__init__(message)
        self.server_message = server_message if server_message is not None else message
        self.status_code = status_code


class GraphQLValidationError(DagsterGraphQLError):
    """The server rejected the document itself (unknown field/argument): never retried; drives version fallback."""


class RunTimeoutError(DaglabError):
    """A run did not finish within the requested time."""

    def __init__(self, message: str, *, run_id: str, status: str | None = None) -> None:
        super().__init__(message)
        self.run_id = run_id
        self.status = status


@dataclass(frozen=True)
class ConfigErrorDetail:
    """One run-config problem as reported by the server: where it is and why."""

    path: str
    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.reason}: {self.message}"


class RunConfigValidationError(DaglabError):
    """The server rejected the run config; ``errors`` lists every problem with its path and reason."""

    def __init__(self, job_name: str, errors: Sequence[ConfigErrorDetail]) -> None:
        self.job_name = job_name
        self.errors = list(errors)
        lines = "; ".join(str(e) for e in self.errors)
        super().__init__(f"run config for {job_name!r} is invalid ({len(self.errors)} error(s)): {lines}")


class NotFoundError(DaglabError):
    """A job, asset, run or location does not exist; ``suggestions`` holds the closest known names."""

    def __init__(self, kind: str, name: str, *, known: Iterable[str] = (), extra: str = "") -> None:
        self.kind = kind
        self.name = name
        self.suggestions = closest_names(name, known)
        message = f"unknown {kind} {name!r}"
        if self.suggestions:
            message += f"; did you mean: {', '.join(self.suggestions)}?"
        if extra:
            message += f" {extra}"
        super().__init__(message)


def closest_names(name: str, known: Iterable[str], limit: int = 5) -> list[str]:
    """Closest known names by similarity; falls back to a few known names so the user always sees options."""
    candidates = sorted(set(known))
    matches = difflib.get_close_matches(name, candidates, n=limit, cutoff=0.5)
    if not matches:
        lowered = name.lower()
        matches = [c for c in candidates if lowered in c.lower() or c.lower() in lowered][:limit]
    return matches or candidates[:limit]
