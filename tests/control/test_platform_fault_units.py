"""Fast checks of the fault handling the soak exercises end to end."""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace
from unittest.mock import MagicMock

import pytest
from fastapi.testclient import TestClient

from data_manager.api.app import create_app
from data_manager.control import forked_run_workers
from data_manager.process_groups import free_port


def test_api_answers_503_with_retry_after_while_postgres_is_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTGRES_HOST", "127.0.0.1")
    monkeypatch.setenv("POSTGRES_PORT", str(free_port()))  # nothing listens: a Postgres that is restarting
    client = TestClient(create_app(token=""), raise_server_exceptions=False)
    for method, path in (("GET", "/api/templates"), ("GET", "/api/pipelines/1"), ("POST", "/api/pipelines/1/runs")):
        response = client.request(method, path)
        assert response.status_code == 503, (path, response.text)
        assert response.headers["retry-after"] == "5"
        assert "cannot connect to Postgres" in response.json()["errors"][0]["message"]


def test_a_code_servers_dead_run_report_outlives_a_storage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dagster's clean-up thread ends at its first error; patched, the error is logged and the next tick retries."""
    from data_manager.dagster_private_api import grpc_server as server

    def storage_down(self) -> None:
        raise ConnectionError("connection to server at 127.0.0.1 refused")

    for name in ("__init__", "_check_for_orphaned_runs"):
        monkeypatch.setattr(server.DagsterApiServer, name, getattr(server.DagsterApiServer, name))
    monkeypatch.setattr(server, "get_python_environment_entry_point", server.get_python_environment_entry_point)
    monkeypatch.setattr(server.DagsterApiServer, "_check_for_orphaned_runs", storage_down)
    forked_run_workers.install()
    code_server = SimpleNamespace(_logger=MagicMock())
    server.DagsterApiServer._check_for_orphaned_runs(code_server)  # does not raise
    assert "could not report a dead run worker yet" in code_server._logger.warning.call_args[0][0]


def test_a_code_servers_run_workers_preload_the_module_it_serves(monkeypatch, tmp_path) -> None:
    from data_manager import served_code_preload as served

    monkeypatch.delenv(served.ANNOUNCED, raising=False)
    served.announce(["forked_run_workers.py", "code-server", "start", "-f", "defs.py"])
    assert served.ANNOUNCED not in os.environ  # no module: nothing to preload
    served.announce(
        ["forked_run_workers.py", "api", "grpc", "--lazy-load-user-code", "-m", "shop_defs", "-d", str(tmp_path)]
    )
    assert os.environ[served.ANNOUNCED] == f"shop_defs{os.pathsep}{tmp_path}"
    served.announce(["x", "api", "grpc", "--module-name", "shop_defs", "--working-directory", str(tmp_path)])
    assert os.environ[served.ANNOUNCED] == f"shop_defs{os.pathsep}{tmp_path}"

    (tmp_path / "shop_defs.py").write_text("import json\nLOADED = True\n")
    (tmp_path / "broken_defs.py").write_text("import shop_helpers_never_made\nraise RuntimeError('broken')\n")
    (tmp_path / "shop_helpers_never_made.py").write_text("")
    try:
        assert served.preload(os.environ[served.ANNOUNCED]) and sys.modules["shop_defs"].LOADED
        assert str(tmp_path) not in sys.path  # on sys.path only while importing, as Dagster loads code
        before = set(sys.modules)
        assert not served.preload(f"broken_defs{os.pathsep}{tmp_path}")
        assert set(sys.modules) == before  # nothing half-imported is left for the run worker
    finally:
        sys.modules.pop("shop_defs", None)
