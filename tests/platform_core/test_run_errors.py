"""A failed run's cause as its user reads it, from Dagster's log events."""

from daglab.models import LogEvent
from data_manager.dagster_private_api import FAILURE_ERROR_PREFIX
from data_manager.run_errors import failure_text, root_cause, run_failure_cause


def event(level: str, message: str, error: str | None = None) -> LogEvent:
    return LogEvent(type="ExecutionStepFailureEvent", level=level, message=message, error=error)


def test_root_cause_is_the_last_caused_by_else_the_first_line() -> None:
    wrapped = "dagster._core.errors.DagsterExecutionStepExecutionError: Error in op\n  caused by: OSError: disk\n"
    assert root_cause(wrapped) == "OSError: disk"
    assert root_cause("first line\nsecond") == "first line"
    assert root_cause(None) is None


def test_failure_text_drops_dagsters_class_name() -> None:
    assert failure_text(f"{FAILURE_ERROR_PREFIX}3 rows failed") == "3 rows failed"


def test_the_steps_own_error_wins_over_dagsters_wrapper_line() -> None:
    events = [
        event("INFO", "started"),
        event("ERROR", 'Execution of step "sync" failed.'),
        event("ERROR", "step failed", error="Wrapper\n  caused by: ValueError: bad row 7"),
    ]
    assert run_failure_cause(events) == "ValueError: bad row 7"


def test_a_run_without_errors_says_so() -> None:
    assert run_failure_cause([event("INFO", "started")]) == "no error"
