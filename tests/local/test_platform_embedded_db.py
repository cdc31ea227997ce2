"""The embedded PostgreSQL `make dev` falls back to: starts, keeps its data across restarts, stops."""

from __future__ import annotations

import io
import os
import signal
import socket
import time
from pathlib import Path

import psutil
import psycopg
import pytest

from data_manager.errors import UserError
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


def supervised_postgres(tmp_path: Path):
    """The embedded server as `make dev` runs it: a supervised role of a DevStack, on a free port, ready."""
    stack, role, settings = supervised_role(tmp_path, free_port())
    role.ready(role)
    return stack, role, settings


def supervised_role(tmp_path: Path, port: int):
    """The embedded server's role started by a DevStack (not yet waited for)."""
    from data_manager.db import PlatformDatabase
    from data_manager.local.dev import DevStack, database_role
    from data_manager.paths import ProjectPaths
    from data_manager.process_groups import LinePrinter
    from data_manager.settings import PostgresSettings

    paths = ProjectPaths(tmp_path, tmp_path / ".data")
    (paths.data_dir / "logs").mkdir(parents=True)
    stack = DevStack(paths, LinePrinter(io.StringIO(), log_dir=paths.data_dir / "logs"), dict(os.environ))
    settings = PostgresSettings(host="127.0.0.1", port=port, user="postgres", password="", database="postgres")
    role = database_role(PlatformDatabase(settings, embedded=True), paths, stack.say)
    assert role is not None
    stack.start(role)
    return stack, role, settings


def test_killed_embedded_postmaster_is_restarted_with_its_data(tmp_path: Path) -> None:
    """kill -9 of the postmaster (its backends orphaned, postmaster.pid left behind): it comes back by itself."""
    stack, role, settings = supervised_postgres(tmp_path)
    try:
        with psycopg.connect(**settings.connect_kwargs(), autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (value text)")
            conn.execute("INSERT INTO kept VALUES ('survives kill -9')")
        holder = psycopg.connect(**settings.connect_kwargs())  # a backend that outlives its postmaster
        killed = role.process.pid
        os.kill(killed, signal.SIGKILL)
        deadline = time.monotonic() + 90
        while not (role.process is not None and role.process.pid != killed and _answers(settings)):
            assert time.monotonic() < deadline, stack.printer.sink.getvalue()[-3000:]
            stack.supervise_once()
            time.sleep(0.3)
        holder.close()
        with psycopg.connect(**settings.connect_kwargs()) as conn:
            assert conn.execute("SELECT value FROM kept").fetchone() == ("survives kill -9",)
        assert "postgres exited with -9; restarting in 1s" in stack.printer.sink.getvalue()
    finally:
        pid = role.process.pid if role.process else None
        stack.stop_all()
    assert pid is None or not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert not _answers(settings)


def test_stale_postmaster_pid_of_a_recycled_process_is_cleared(tmp_path: Path) -> None:
    """A postmaster.pid naming a live process that is not our postmaster (the pid was reused) is removed."""
    stack, role, settings = supervised_postgres(tmp_path)
    stack.stop_all()
    lock = tmp_path / ".data" / "postgres" / "pgdata" / "postmaster.pid"
    lock.write_text(f"{os.getpid()}\n{lock.parent}\n0\n{settings.port}\n")
    try:
        stack.start(role)
        role.ready(role)
        assert "removed a stale postmaster.pid" in stack.printer.sink.getvalue()
    finally:
        stack.stop_all()


def test_a_project_cloned_deep_in_the_tree_starts_its_server(tmp_path: Path) -> None:
    """A data dir past the 107-byte Unix-socket limit (CI's clone was one): the server listens on TCP only."""
    deep = tmp_path / ("a-project-cloned-somewhere-deep-" * 3)
    deep.mkdir()
    stack, _, settings = supervised_postgres(deep)
    try:
        assert _answers(settings)
    finally:
        stack.stop_all()


def test_a_server_that_cannot_start_says_why_in_one_line(tmp_path: Path) -> None:
    """Its port taken: the error carries Postgres' own FATAL line, not only "see the log"."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        stack, role, _ = supervised_role(tmp_path, taken.getsockname()[1])
        try:
            with pytest.raises(UserError, match=r"exited during start-up: could not create any TCP/IP sockets"):
                role.ready(role)
        finally:
            stack.stop_all()


def _answers(settings) -> bool:
    try:
        with psycopg.connect(**settings.connect_kwargs(), connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False
