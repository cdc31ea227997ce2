"""Step outputs in the instance's Postgres, so a step on one worker reads what a step on another wrote.

Celery workers may run on other hosts: Dagster's default IO manager (pickles under DAGSTER_HOME) would
leave an output on the disk of the worker that produced it. Workers share the instance's Postgres
anyway, so outputs go there: one row per output, keyed as Dagster's filesystem IO manager names its
files (run, step, output and mapping key; an asset's key and partition for asset outputs). A step that
runs again overwrites its row, so a re-run never doubles anything.
"""

from __future__ import annotations

import contextlib
import pickle
from typing import Any

import dagster as dg
import psycopg

from data_manager.db import connect
from data_manager.settings import PostgresSettings

SCHEMA = "platform_step_outputs"
CREATE = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.outputs (
    key text PRIMARY KEY,
    run_id text NOT NULL,
    value bytea NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
)
"""
_created: list[bool] = []


def _key(context: dg.OutputContext | dg.InputContext) -> str:
    if context.has_asset_key:
        return "asset/" + "/".join(context.get_asset_identifier())
    return "run/" + "/".join(context.get_identifier())


def _ensure_table(conn: psycopg.Connection) -> None:
    """Once per process; two first writers at once may race on the catalog, which is harmless."""
    if _created:
        return
    with contextlib.suppress(psycopg.errors.UniqueViolation, psycopg.errors.DuplicateObject):
        conn.execute(CREATE)
    _created.append(True)


class PostgresStepOutputs(dg.ConfigurableIOManager):
    """Pickled step outputs in the Dagster database (DAGSTER_POSTGRES_DB), shared by every worker."""

    def _connect(self):
        return connect(PostgresSettings.from_env("DAGSTER_POSTGRES_DB"), autocommit=True)

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        with self._connect() as conn:
            _ensure_table(conn)
            conn.execute(
                f"INSERT INTO {SCHEMA}.outputs (key, run_id, value) VALUES (%s, %s, %s)"
                " ON CONFLICT (key) DO UPDATE SET run_id = EXCLUDED.run_id, value = EXCLUDED.value, written_at = now()",
                (_key(context), context.run_id, payload),
            )
        context.add_output_metadata({"stored_bytes": len(payload)})

    def load_input(self, context: dg.InputContext) -> Any:
        key = _key(context.upstream_output) if context.upstream_output is not None else _key(context)
        with self._connect() as conn:
            row = conn.execute(f"SELECT value FROM {SCHEMA}.outputs WHERE key = %s", (key,)).fetchone()
        if row is None:
            raise dg.Failure(description=f"no stored output {key!r}: the step that writes it has not run")
        return pickle.loads(row[0])
