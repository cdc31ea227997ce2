"""The embedded PostgreSQL `make dev` falls back to: starts, keeps its data across restarts, stops."""

from __future__ import annotations

from pathlib import Path

import psycopg

from data_manager.local.embedded_db import EmbeddedPostgres
from data_manager.process_groups import free_port


def test_embedded_postgres_keeps_data_across_restarts(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "postgres", free_port())
    server.start()
    try:
        with psycopg.connect(host="127.0.0.1", port=server.port, user="postgres", dbname="postgres") as conn:
            conn.execute("CREATE TABLE kept (value text)")
            conn.execute("INSERT INTO kept VALUES ('second make dev sees me')")
        server.stop()
        assert not server.is_ready()

        server.start()  # a second `make dev`
        with psycopg.connect(host="127.0.0.1", port=server.port, user="postgres", dbname="postgres") as conn:
            assert conn.execute("SELECT value FROM kept").fetchone() == ("second make dev sees me",)
    finally:
        server.stop()
    assert not server.is_ready()
