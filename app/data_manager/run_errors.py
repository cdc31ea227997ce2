"""Why a run failed, in the user's words: Dagster wraps a step's exception in its own lines."""

from __future__ import annotations

from collections.abc import Iterable

from daglab.models import LogEvent
from data_manager.dagster_private_api import FAILURE_ERROR_PREFIX


def failure_text(text: str) -> str:
    """A step's failure as users read it: a `dg.Failure`'s own description, without Dagster's class name."""
    return text.split(FAILURE_ERROR_PREFIX, 1)[-1].strip()


def root_cause(message: str | None) -> str | None:
    """The last `caused by:` of a step error (the user's exception), else its first line."""
    if not message:
        return message
    causes = [line.split("caused by:", 1)[1].strip() for line in message.splitlines() if "caused by:" in line]
    return causes[-1] if causes else message.strip().splitlines()[0]


def run_failure_cause(events: Iterable[LogEvent]) -> str:
    """A failed run's first error as its user reads it; "Execution of step ... failed." says nothing, so it comes last."""
    errors = [e for e in events if e.level in ("ERROR", "CRITICAL")]
    texts = [text for e in errors for text in (e.error, e.message) if text]
    first = next((t for t in texts if not t.startswith("Execution of step")), texts[0] if texts else "no error")
    return failure_text(root_cause(first) or first)
