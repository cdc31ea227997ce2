"""`spread_job`: eight independent steps and one that adds up their results (copied into a test location).

Each `part_N` step writes `rows` rows (run, part, n) into `spread.rows` in `batches` commits, waiting
`pause_s` and burning `burn_s` of CPU per batch, upserting by key: a step that runs again after dying
half-way loads each row once. It records every attempt (host, pid) in `spread.attempts` and its
worker's host and pid in its output metadata. `total` reads the eight outputs (from the step outputs
store: they may come from other workers) and checks the sum. Used by tests/execution and bench-scale.
"""

import os
import socket
import time

import dagster as dg
import psycopg

from data_manager.settings import PostgresSettings

PARTS = 8
TABLES = """
CREATE SCHEMA IF NOT EXISTS spread;
CREATE TABLE IF NOT EXISTS spread.rows (run_id text, part int, n int, PRIMARY KEY (run_id, part, n));
CREATE TABLE IF NOT EXISTS spread.attempts (
    run_id text, part int, hostname text, pid int, started_at timestamptz DEFAULT clock_timestamp()
);
"""


class SpreadConfig(dg.Config):
    rows: int = 40
    batches: int = 4
    pause_s: float = 0.0
    burn_s: float = 0.0


def _burn(seconds: float) -> None:
    deadline = time.process_time() + seconds
    value = 0
    while time.process_time() < deadline:
        value = (value * 31 + 7) % 1_000_003


def _part(index: int) -> dg.OpDefinition:
    @dg.op(name=f"part_{index}")
    def part(context: dg.OpExecutionContext, config: SpreadConfig) -> int:
        settings = PostgresSettings.from_env()
        with psycopg.connect(**settings.connect_kwargs(), autocommit=True) as conn:
            conn.execute(
                "INSERT INTO spread.attempts (run_id, part, hostname, pid) VALUES (%s, %s, %s, %s)",
                (context.run_id, index, socket.gethostname(), os.getpid()),
            )
            per_batch = -(-config.rows // config.batches)
            for batch in range(config.batches):
                numbers = range(batch * per_batch, min((batch + 1) * per_batch, config.rows))
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO spread.rows (run_id, part, n) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                        [(context.run_id, index, n) for n in numbers],
                    )
                _burn(config.burn_s)
                time.sleep(config.pause_s)
            (count,) = conn.execute(
                "SELECT count(*) FROM spread.rows WHERE run_id = %s AND part = %s", (context.run_id, index)
            ).fetchone()
        context.add_output_metadata({"hostname": socket.gethostname(), "pid": os.getpid(), "rows": count})
        return count

    return part


@dg.op
def total(context: dg.OpExecutionContext, counts: list[int]) -> int:
    context.add_output_metadata({"sum": sum(counts)})
    return sum(counts)


@dg.job(description="Eight independent steps, then their sum: spreads over the Celery workers.")
def spread_job() -> None:
    total([_part(index)() for index in range(PARTS)])


@dg.op
def where_am_i(context: dg.OpExecutionContext) -> None:
    context.add_output_metadata({"hostname": socket.gethostname(), "pid": os.getpid()})


@dg.job(description="One step that says which worker ran it.")
def where_job() -> None:
    where_am_i()
