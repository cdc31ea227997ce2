"""CODE_SERVER_MODE=direct end to end: one `dagster api grpc` per location, and reload by restart.

The local stack serves one `empty`-template location without the code-server proxy; the tests
check the process shape, a run, and that `data-manager reload` picks up changed code.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import serving_home
from data_manager.locations.model import Location
from data_manager.paths import ProjectPaths
from data_manager.process_groups import argv_of
from platform_support import make_home, run_cli
from stack import LocalStack

pytestmark = pytest.mark.e2e

NAME, PORT = "delta", 4295
NEW_ASSET = """

@dg.asset(key_prefix="delta")
def added_after_start() -> int:
    return 1
"""


@pytest.fixture(scope="module")
def stack(postgres_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    home = make_home(tmp_path_factory.mktemp("direct_home"))
    assert run_cli(home, "locations", "add", NAME, "--port", str(PORT)).returncode == 0
    with serving_home(postgres_server, home, [NAME], "test_direct", {"CODE_SERVER_MODE": "direct"}) as local:
        yield local


def test_each_location_is_one_api_grpc_process_and_runs_succeed(stack: LocalStack) -> None:
    servers = stack.find_processes("dagster", f" dagster_code.{NAME} ")
    assert [argv_of(server.cmdline())[3:5] for server in servers] == [["api", "grpc"]], (
        "no code-server proxy in direct mode"
    )
    run_id = stack.launch_job(NAME, f"{NAME}_pipeline")
    assert stack.wait_for_run(run_id, timeout_s=120) == "SUCCESS"


def test_reload_restarts_the_server_and_picks_up_new_code(stack: LocalStack) -> None:
    (old_server,) = stack.find_processes("api", f" dagster_code.{NAME} ")
    assets = Location.named(NAME, ProjectPaths(stack.home)).defs_dir / "assets.py"
    assets.write_text(assets.read_text() + NEW_ASSET)  # defs/ is loaded whole: no other edit needed
    result = run_cli(stack.home, "reload", NAME, env=stack.env)
    assert result.returncode == 0, result.stderr
    assert f"reloaded '{NAME}': loaded" in result.stderr
    (new_server,) = stack.find_processes("api", f" dagster_code.{NAME} ")
    assert new_server.pid != old_server.pid
    with stack.client() as client:
        keys = {"/".join(asset.key) for asset in client.assets()}
    assert f"{NAME}/added_after_start" in keys
    assert not (stack.data_dir / "restart-requests" / NAME).exists()
