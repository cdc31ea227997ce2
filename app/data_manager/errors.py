"""User-facing errors: one line, no traceback, a documented exit code."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import TypeVar

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

F = TypeVar("F", bound=Callable[..., object])


class UserError(Exception):
    """Bad input or an unreachable dependency: printed as one line, exit code 2 by default."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE):
        super().__init__(message)
        self.exit_code = exit_code


class ServiceUnavailable(UserError):
    """A server the command needs does not answer right now (Postgres restarting, a webserver down): the same
    request may work in a moment. The API answers 503 with Retry-After; the CLI prints the one line."""


def cli_errors(func: F) -> F:
    """Decorator for CLI commands: print UserError as `error: ...` and exit with its code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise SystemExit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]
