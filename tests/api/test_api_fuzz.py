"""Schemathesis over every route of the platform API's OpenAPI schema, a bounded number of examples each.

Whatever it sends: never a 500 (a 503 only with Retry-After: the Dagster webserver is deliberately absent),
never a traceback in a response, and every 4xx carries an `errors` list of messages. The API serves its own
temporary copy of the repository (designer writes land there) and a fresh database with the pipelines schema;
the webserver URL points at a closed loopback port, so nothing leaves the machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from api.designer_support import GIT_IDENTITY, copy_repository
from conftest import create_pg_database, drop_pg_database, unique_name
from data_manager.api.app import OPENAPI_URL, create_app
from data_manager.pipelines.migrate import upgrade
from data_manager.process_groups import free_port
from prepared_files import copy_prepared_files

EXAMPLES_PER_ROUTE = int(os.environ.get("FUZZ_EXAMPLES", "12"))  # per route; more with FUZZ_EXAMPLES
# Built at collection (the app reads its settings per request): one test per operation.
SCHEMA = schemathesis.openapi.from_asgi(OPENAPI_URL, create_app(token=""))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
CALLS: list[int] = []


@pytest.fixture(scope="module")
def fuzz_env(postgres_server, designer_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = copy_repository(tmp_path_factory.mktemp("fuzz-repo"))
    copy_prepared_files(designer_home, home)  # the designer tests' warm component catalog
    database = unique_name("test_fuzz")
    pg = create_pg_database(postgres_server, database)
    environment = {
        "DATA_PLATFORM_HOME": str(home),
        "DATA_PLATFORM_DATA_DIR": str(home / ".data"),
        "DAGSTER_WEBSERVER_URL": f"http://127.0.0.1:{free_port()}",
        "POSTGRES_HOST": pg.host,
        "POSTGRES_PORT": str(pg.port),
        "POSTGRES_USER": pg.user,
        "POSTGRES_PASSWORD": pg.password,
        "POSTGRES_DB": database,
        **GIT_IDENTITY,
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environment.items():
            patch.setenv(key, value)
        patch.delenv("PLATFORM_API_TOKEN", raising=False)
        patch.delenv("DESIGNER_READ_ONLY", raising=False)
        upgrade(pg)
        yield
    drop_pg_database(postgres_server, database)


def assert_answer_is_clean(case, response) -> None:
    where = f"{case.method} {case.formatted_path} -> {response.status_code}"
    assert "Traceback" not in response.text, f"{where}: traceback in the response"
    assert response.status_code != 500, f"{where}: {response.text[:500]}"
    if response.status_code >= 500:
        assert response.status_code == 503 and response.headers.get("retry-after"), f"{where}: {response.text[:300]}"
    if response.status_code >= 400:
        errors = response.json().get("errors")
        assert errors and all(isinstance(e, dict) and e.get("message") for e in errors), f"{where}: {response.text}"


@pytest.mark.parametrize("operation", OPERATIONS, ids=[operation.label for operation in OPERATIONS])
def test_every_route_answers_cleanly(operation, fuzz_env) -> None:
    # `refresh=true` rebuilds the component catalog (dg once per type, about a minute): asked for once by the
    # designer tests, never over and over here.
    @given(case=operation.as_strategy().filter(lambda case: "refresh" not in (case.query or {})))
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def answers_cleanly(case) -> None:
        CALLS.append(1)
        assert_answer_is_clean(case, case.call())

    answers_cleanly()


def test_the_schema_lists_both_apis() -> None:
    paths = {operation.path for operation in OPERATIONS}
    assert {"/api/pipelines/{pipeline_id}/runs", "/api/designer/locations/{name}/components/{path}"} <= paths


def test_cases_were_sent() -> None:
    """Runs after the routes (file order, one xdist worker per module): the sweep sent cases to every route."""
    print(f"schemathesis: {len(CALLS)} cases over {len(OPERATIONS)} operations")
    assert len(CALLS) >= len(OPERATIONS) * 3
