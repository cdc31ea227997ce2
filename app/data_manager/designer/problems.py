"""Errors the designer reports: every problem found, each pinned to a request field or a file line when known."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from data_manager.errors import EXIT_FAILURE, EXIT_USAGE, UserError

# What kind of refusal: the API maps these to 422, 404, 409, 422 and 503; the CLI to exit codes.
INVALID = "invalid"
NOT_FOUND = "not_found"
CONFLICT = "conflict"
FAILED = "failed"
UNAVAILABLE = "unavailable"  # a service the request needs (the Dagster webserver) is not running


@dataclass(frozen=True)
class Problem:
    message: str
    path: tuple[str | int, ...] | None = None
    file: str | None = None
    line: int | None = None
    component: str | None = None  # the instance (folder under defs/) a dg error belongs to

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["path"] = list(self.path) if self.path is not None else None
        return {key: value for key, value in data.items() if value is not None}

    def one_line(self) -> str:
        where = ":".join(str(part) for part in (self.file, self.line) if part is not None)
        field = ".".join(str(part) for part in self.path) if self.path else ""
        prefix = " ".join(part for part in (where, field) if part)
        return f"{prefix}: {self.message}" if prefix else self.message


class DesignerError(UserError):
    """A refused operation with every problem found; nothing was changed.

    `extra`: more of the refusal's body (the API adds it beside `errors`, e.g. a delete's `references`)."""

    def __init__(self, problems: Sequence[Problem | str], kind: str = INVALID, extra: dict | None = None):
        self.problems = [item if isinstance(item, Problem) else Problem(item) for item in problems]
        self.kind = kind
        self.extra = extra or {}
        super().__init__(
            "; ".join(problem.one_line() for problem in self.problems),
            exit_code=EXIT_FAILURE if kind in (FAILED, UNAVAILABLE) else EXIT_USAGE,
        )
