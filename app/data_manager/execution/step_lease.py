"""A step's lease: a Postgres advisory lock held on the instance's database while a worker runs the step.

A step's message can reach a second worker while the first still runs it (a worker that stalled past
the visibility timeout). The lease lets only one of them run it: the second waits for the lease, and
finds the step's result already stored when the first finished, or runs the step when the first died
(Postgres drops a dead client's session, and its lock with it; the keepalives below notice a vanished
host within about 25 s).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from data_manager.db import connect
from data_manager.settings import PostgresSettings

KEEPALIVES = "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3"


@dataclass
class StepLease:
    """The session holding the lock; `waited` says whether another worker held it first."""

    connection: psycopg.Connection
    waited: bool

    def run_status(self, run_id: str) -> str | None:
        """The run's status in Dagster's run storage (the `runs` table of its Postgres storage)."""
        row = self.connection.execute("SELECT status FROM runs WHERE run_id = %s", (run_id,)).fetchone()
        return row[0] if row else None

    def release(self) -> None:
        self.connection.close()


def take_lease(task_id: str, on_wait=None) -> StepLease:
    """Hold the lease of `task_id` (one Celery task = one attempt of one step), waiting while another has it."""
    conn = connect(PostgresSettings.from_env("DAGSTER_POSTGRES_DB"), autocommit=True)
    try:
        conn.execute(KEEPALIVES)
        key = "SELECT hashtextextended(%s, 0)"
        if conn.execute(f"SELECT pg_try_advisory_lock(({key}))", (task_id,)).fetchone()[0]:
            return StepLease(conn, waited=False)
        if on_wait is not None:
            on_wait()
        conn.execute(f"SELECT pg_advisory_lock(({key}))", (task_id,))
        return StepLease(conn, waited=True)
    except BaseException:
        conn.close()
        raise
