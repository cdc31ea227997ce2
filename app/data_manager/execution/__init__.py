"""Where a run's steps execute: Dagster's multiprocess executor, or Celery workers on a broker (EXECUTOR)."""
