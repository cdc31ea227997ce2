"""Limits on what database-stored selectors, patterns and documents may cost.

Patterns come from users, so they run on the `regex` package with a timeout (a catastrophic
backtracking pattern fails its field instead of hanging the run); PDFs have a page cap (sizes: ARTIFACT_MAX_MB).
"""

from __future__ import annotations

import functools

import regex

from data_manager.errors import UserError

MAX_PDF_PAGES = 500
MAX_PATTERN_LENGTH = 1000
REGEX_TIMEOUT_S = 1.0


class ExtractionError(Exception):
    """One artifact or field could not be extracted; the message names what and why."""


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str, what: str = "pattern") -> regex.Pattern:
    """A compiled user pattern, or a UserError naming `what` when it is too long or invalid."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise UserError(f"{what}: pattern longer than {MAX_PATTERN_LENGTH} characters")
    try:
        return regex.compile(pattern, regex.MULTILINE)
    except regex.error as exc:
        raise UserError(f"{what}: invalid regular expression {pattern!r}: {exc}") from None


def search(pattern: regex.Pattern, text: str, what: str) -> regex.Match | None:
    try:
        return pattern.search(text, timeout=REGEX_TIMEOUT_S)
    except TimeoutError:
        raise ExtractionError(f"{what}: pattern took longer than {REGEX_TIMEOUT_S}s") from None


def substitute(pattern: regex.Pattern, replacement: str, text: str, what: str) -> str:
    try:
        return pattern.sub(replacement, text, timeout=REGEX_TIMEOUT_S)
    except TimeoutError:
        raise ExtractionError(f"{what}: pattern took longer than {REGEX_TIMEOUT_S}s") from None
    except (regex.error, IndexError) as exc:
        raise ExtractionError(f"{what}: bad replacement {replacement!r}: {exc}") from None
