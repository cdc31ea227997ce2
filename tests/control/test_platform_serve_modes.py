"""The two ways `data-manager serve` runs a location's code server (CODE_SERVER_MODE)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from data_manager.control.supervisor import ServerSpec, code_server_command
from platform_support import make_home, run_cli

SPEC = ServerSpec(name="orders", module="dagster_code.orders", port=4270)


@pytest.mark.parametrize(("mode", "subcommand"), [("proxy", ["code-server", "start"]), ("direct", ["api", "grpc"])])
@pytest.mark.parametrize(
    ("run_worker_start", "cli"), [("forkserver", "data_manager.control.forked_run_workers"), ("spawn", "dagster")]
)
def test_command_per_mode(mode: str, subcommand: list[str], run_worker_start: str, cli: str) -> None:
    command = code_server_command(SPEC, "0.0.0.0", Path("/app"), mode, run_worker_start)
    assert command == [
        sys.executable, "-m", cli, *subcommand, "-m", "dagster_code.orders", "-h", "0.0.0.0", "-p", "4270",
        "--location-name", "orders", "--working-directory", "/app",
    ]  # fmt: skip


def test_serve_with_an_unknown_mode_exits_2_with_one_line(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    result = run_cli(home, "serve", env={"CODE_SERVER_MODE": "fast", "DATA_PLATFORM_DATA_DIR": str(tmp_path / "d")})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: CODE_SERVER_MODE='fast' is not valid: expected one of proxy, direct"
    ]
