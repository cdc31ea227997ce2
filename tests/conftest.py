"""Shared fixtures: real PostgreSQL and MariaDB, one throw-away database per test.

A server that is missing fails the test with a message naming it; nothing is skipped.
Tests never write into the checkout: PyAirbyte's connector installs go to a cache folder in the
user's home (kept between runs, so `source-faker` installs once), not to `.data/airbyte`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pymysql
import pytest
from psycopg import sql
from xdist.scheduler import LoadScopeScheduling

from data_manager.settings import PostgresSettings

if TYPE_CHECKING:
    from stack import LocalStack

# One install folder per pytest-xdist worker: two workers installing one connector at once would clash.
os.environ.setdefault(
    "AIRBYTE_INSTALL_DIR",
    os.path.expanduser(f"~/.cache/data-platform-tests/airbyte/{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"),
)


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """Undo what a test exported into this worker's environment.

    A CLI command run in-process exports its Postgres choice (`platform_database()` sets POSTGRES_HOST,
    PORT and an empty PASSWORD, once per process); left in place, it changes what later tests in the
    same worker see (a Compose config check, a dev stack's children)."""
    saved = dict(os.environ)
    yield
    if os.environ != saved:
        os.environ.clear()
        os.environ.update(saved)
    from data_manager.db import platform_database

    platform_database.cache_clear()


MODULE_SECONDS = "data-platform/module-seconds"  # pytest's cache: each test module's seconds in its last run
UNMEASURED_E2E_S = 60.0  # a module neither measured nor marked `seconds(n)`: end to end is slow, a unit one fast


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The slowest modules first, by their seconds in the last run, else their `seconds(n)` mark (a clean clone
    has no cache), else a guess (`make test` runs `--dist loadscope --no-loadscope-reorder`): the two workers then
    end together, instead of one running the slowest module alone at the end. Tests keep their order in a module."""
    cache = getattr(config, "cache", None)  # absent under -p no:cacheprovider
    measured: dict[str, float] = cache.get(MODULE_SECONDS, {}) if cache else {}
    guessed: dict[str, float] = {}
    for item in items:
        module = module_of(item.nodeid)
        marked = item.get_closest_marker("seconds")
        guess = float(marked.args[0]) if marked else UNMEASURED_E2E_S if item.get_closest_marker("e2e") else 0.0
        guessed[module] = max(guessed.get(module, 0.0), guess)
    weight = {module: measured.get(module, guess) for module, guess in guessed.items()}
    items.sort(key=lambda item: -weight[module_of(item.nodeid)])


SHARED_STACK = "platform_stack"
SHARED_STACK_CONCURRENT_RUNS = 2


class SharedStackScheduling(LoadScopeScheduling):
    """xdist's `loadscope`, except that the modules using `platform_stack` go to one worker as one unit: the
    session-scoped stack then starts once in the suite, not once per worker (a minute of start-up, and a second
    webserver, daemon and code servers running for the rest of the suite). xdist's controller collects nothing,
    so a module's source says whether it uses the fixture."""

    @functools.cache  # noqa: B019 - one scheduler per session
    def _split_scope(self, nodeid: str) -> str:
        module = module_of(nodeid)
        source = self.config.rootpath / module
        uses_stack = source.is_file() and SHARED_STACK in source.read_text()
        return SHARED_STACK if uses_stack else super()._split_scope(nodeid)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling | None:
    return SharedStackScheduling(config, log) if config.getvalue("dist") == "loadscope" else None


_shared_stack_stops: list[Callable[[], None]] = []  # the running `platform_stack`'s stop, at most one


def _uses_shared_stack(item: pytest.Item | None) -> bool:
    return item is not None and SHARED_STACK in getattr(item, "fixturenames", ())


def _no_later_user(item: pytest.Item) -> bool:
    """Under `loadscope` the stack's users run as one unit; otherwise the session's items are the run order."""
    if hasattr(item.config, "workerinput"):
        return item.config.getvalue("dist") == "loadscope"
    later = item.session.items[item.session.items.index(item) + 1 :]
    return not any(_uses_shared_stack(other) for other in later)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Stop `platform_stack` after its last test instead of at the session's end: idle, it still costs CPU (its
    daemon and code servers, about 15 % of a core) and memory while the worker runs the rest of its tests."""
    result = yield
    if _shared_stack_stops and _uses_shared_stack(item) and not _uses_shared_stack(nextitem) and _no_later_user(item):
        _shared_stack_stops.pop()()
    return result


_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Sums each module's setup, call and teardown seconds (on xdist's controller, from every worker)."""
    _seconds[module_of(report.nodeid)] = _seconds.get(module_of(report.nodeid), 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _seconds and getattr(session.config, "cache", None) and not hasattr(session.config, "workerinput"):
        measured = session.config.cache.get(MODULE_SECONDS, {})
        session.config.cache.set(MODULE_SECONDS, {**measured, **{m: round(s, 1) for m, s in _seconds.items()}})


TEST_PG = PostgresSettings(
    host=os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1"),
    port=int(os.environ.get("TEST_POSTGRES_PORT", "5432")),
    user=os.environ.get("TEST_POSTGRES_USER", "postgres"),
    password=os.environ.get("TEST_POSTGRES_PASSWORD", ""),
    database="postgres",
)


@dataclass(frozen=True)
class MySQLSettings:
    host: str
    port: int
    user: str
    password: str
    database: str

    def url(self) -> str:
        auth = self.user if not self.password else f"{self.user}:{self.password}"
        return f"mysql://{auth}@{self.host}:{self.port}/{self.database}"

    def connect(self, **kwargs) -> pymysql.connections.Connection:
        return pymysql.connect(
            host=self.host, port=self.port, user=self.user, password=self.password, database=self.database, **kwargs
        )


TEST_MYSQL = MySQLSettings(
    host=os.environ.get("TEST_MYSQL_HOST", "127.0.0.1"),
    port=int(os.environ.get("TEST_MYSQL_PORT", "3306")),
    user=os.environ.get("TEST_MYSQL_USER", "root"),
    password=os.environ.get("TEST_MYSQL_PASSWORD", ""),
    database="",
)


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def postgres_server() -> PostgresSettings:
    """The machine's PostgreSQL server; the test fails naming it when it is not reachable."""
    try:
        with psycopg.connect(**TEST_PG.connect_kwargs(), connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL server at {TEST_PG.host}:{TEST_PG.port} is required and not reachable: {exc}")
    return TEST_PG


def create_pg_database(server: PostgresSettings, name: str) -> PostgresSettings:
    with psycopg.connect(**server.connect_kwargs("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return replace(server, database=name)


def drop_pg_database(server: PostgresSettings, name: str) -> None:
    with psycopg.connect(**server.connect_kwargs("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextlib.contextmanager
def serving_home(
    server: PostgresSettings, home: Path, locations: list[str], prefix: str, extra_env: dict[str, str] | None = None
) -> Iterator[LocalStack]:
    """A local stack serving `home`'s own locations (nothing seeded) on fresh databases, dropped afterwards."""
    from stack import LocalStack

    data_db = unique_name(prefix)
    local = LocalStack.create(server, data_db, home=home, data_dir=home / ".data", extra_env=extra_env)
    try:
        local.start(prepare=False)
        local.wait_until_loaded(locations)
        yield local
    finally:
        local.stop()
        drop_pg_database(server, data_db)
        drop_pg_database(server, local.dagster_db)


@pytest.fixture
def pg_database(postgres_server: PostgresSettings) -> Iterator[PostgresSettings]:
    """A fresh, empty database on the real server, dropped after the test."""
    name = unique_name("test_dp")
    settings = create_pg_database(postgres_server, name)
    try:
        yield settings
    finally:
        drop_pg_database(postgres_server, name)


@pytest.fixture
def pg_env(pg_database: PostgresSettings, monkeypatch: pytest.MonkeyPatch) -> PostgresSettings:
    """`pg_database`, also exported as the POSTGRES_* variables the platform reads."""
    monkeypatch.setenv("POSTGRES_HOST", pg_database.host)
    monkeypatch.setenv("POSTGRES_PORT", str(pg_database.port))
    monkeypatch.setenv("POSTGRES_USER", pg_database.user)
    monkeypatch.setenv("POSTGRES_PASSWORD", pg_database.password)
    monkeypatch.setenv("POSTGRES_DB", pg_database.database)
    return pg_database


@pytest.fixture(scope="session")
def mariadb_server() -> MySQLSettings:
    """The machine's MariaDB/MySQL server; the test fails naming it when it is not reachable."""
    try:
        pymysql.connect(
            host=TEST_MYSQL.host,
            port=TEST_MYSQL.port,
            user=TEST_MYSQL.user,
            password=TEST_MYSQL.password,
            connect_timeout=5,
        ).close()
    except pymysql.MySQLError as exc:
        pytest.fail(f"MariaDB server at {TEST_MYSQL.host}:{TEST_MYSQL.port} is required and not reachable: {exc}")
    return TEST_MYSQL


@pytest.fixture
def mysql_database(mariadb_server: MySQLSettings) -> Iterator[MySQLSettings]:
    """A fresh MariaDB database, dropped after the test."""
    name = unique_name("test_dp")
    conn = pymysql.connect(
        host=mariadb_server.host,
        port=mariadb_server.port,
        user=mariadb_server.user,
        password=mariadb_server.password,
        autocommit=True,
    )
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}`")
    try:
        yield replace(mariadb_server, database=name)
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.fixture(scope="session")
def platform_stack(
    postgres_server: PostgresSettings, mariadb_server: MySQLSettings, tmp_path_factory: pytest.TempPathFactory
):
    """The repository's own platform (`make dev` roles) on fresh databases, shared by e2e tests."""
    from dbt_support import ensure_manifest
    from stack import LocalStack

    ensure_manifest()
    data_db = unique_name("test_stack")
    mysql_db = unique_name("test_shop")  # `make dev` seeds the sql_sync sample into it
    mysql_env = {
        "MYSQL_HOST": TEST_MYSQL.host,
        "MYSQL_PORT": str(TEST_MYSQL.port),
        "MYSQL_USER": TEST_MYSQL.user,
        "MYSQL_PASSWORD": TEST_MYSQL.password,
        "MYSQL_DB": mysql_db,
    }
    artifact_access = {  # pipeline artifacts: the tests' own files, and local test servers
        "ARTIFACT_ROOTS": str(tmp_path_factory.getbasetemp()),
        "ARTIFACT_URL_ALLOW": "127.0.0.1",
    }
    # Two runs at a time (make dev: 4): the concurrency test then needs three runs, not five, to fill the queue.
    run_queue = {"MAX_CONCURRENT_RUNS": str(SHARED_STACK_CONCURRENT_RUNS)}
    stack = LocalStack.create(
        postgres_server,
        data_db,
        data_dir=tmp_path_factory.mktemp("platform_stack"),
        extra_env={**mysql_env, **artifact_access, **run_queue},
    )

    @functools.cache  # once: after its last test (pytest_runtest_teardown), or at the session's end
    def stop() -> None:
        stack.stop()
        drop_pg_database(postgres_server, data_db)
        drop_pg_database(postgres_server, stack.dagster_db)
        with (
            pymysql.connect(
                host=TEST_MYSQL.host, port=TEST_MYSQL.port, user=TEST_MYSQL.user, password=TEST_MYSQL.password
            ) as conn,
            conn.cursor() as cur,
        ):
            cur.execute(f"DROP DATABASE IF EXISTS `{mysql_db}`")

    _shared_stack_stops.append(stop)
    try:
        stack.start()
        stack.wait_until_loaded()
        yield stack
    finally:
        if stop in _shared_stack_stops:
            _shared_stack_stops.remove(stop)
        stop()
