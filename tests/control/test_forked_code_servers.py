"""CODE_SERVER_START=fork: code servers, and a proxy's `api grpc` child at start and at each reload, are forks of
one warm forkserver; they keep their command line, process group and output, and stop with their group.

The serving side runs in a subprocess of its own: a process has one stdlib forkserver, and a pytest worker's may
already be the designer's dg forks' (tests/api)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(30)]

DEFS = """
import dagster as dg

@dg.asset
def probe_asset() -> int:
    return 1

defs = dg.Definitions(assets=[probe_asset])
"""

SERVE = """
import io, json, os, sys, time

import psutil

from data_manager.control import forked_code_servers
from data_manager.control.health import wait_until_serving
from data_manager.dagster_private_api import DagsterGrpcClient
from data_manager.process_groups import LinePrinter, argv_of, free_port, stop_group


def forks_of(forkserver: int) -> dict[int, str]:
    found = {}
    for child in psutil.Process(forkserver).children():
        try:
            found[child.pid] = " ".join(argv_of(child.cmdline()))
        except psutil.Error:
            pass
    return found


def main() -> None:
    defs, mode = sys.argv[1], sys.argv[2]
    forked_code_servers.start_forkserver()
    forkserver = next(p.pid for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline()))
    sink = io.StringIO()
    port = free_port()
    words = ["code-server", "start"] if mode == "proxy" else ["api", "grpc"]
    args = [*words, "-f", defs, "-h", "127.0.0.1", "-p", str(port), "--location-name", "probe"]
    server = forked_code_servers.start("probe", args, LinePrinter(sink), warm_run_workers=True)
    facts = {"server": server.pid, "forkserver": forkserver}
    wait_until_serving("127.0.0.1", port, 120, server)
    facts["forks"] = forks_of(forkserver)
    facts["groups"] = {pid: os.getpgid(pid) for pid in facts["forks"]}
    if mode == "proxy":
        DagsterGrpcClient(port=port, host="127.0.0.1").reload_code(timeout=60)
        wait_until_serving("127.0.0.1", port, 120, server)
        deadline = time.monotonic() + 30
        while len(forks_of(forkserver)) != 2 and time.monotonic() < deadline:  # the old child shuts down
            time.sleep(0.1)
        facts["after_reload"] = forks_of(forkserver)
    stop_group(server, grace_s=10)
    facts["returncode"] = server.returncode
    time.sleep(0.5)
    facts["left"] = forks_of(forkserver)
    facts["output"] = sink.getvalue()
    address = os.environ[forked_code_servers.ADDRESS_ENV]
    os.kill(forkserver, 9)  # killed: the next server starts a new one, and proxies are told its address
    while psutil.Process(forkserver).status() != psutil.STATUS_ZOMBIE:
        time.sleep(0.05)
    crashed = forked_code_servers.start("bad", ["api", "grpc", "--no-such-option"], LinePrinter(sink), False)
    facts["new_address"] = os.environ[forked_code_servers.ADDRESS_ENV] != address
    facts["bad_returncode"] = crashed.wait(60)
    facts["bad_output"] = sink.getvalue()[len(facts["output"]):]
    if mode == "direct":  # a server whose forkserver is killed under it keeps running and counts as running
        survivor = forked_code_servers.start("survivor", args, LinePrinter(sink), warm_run_workers=True)
        wait_until_serving("127.0.0.1", port, 120, survivor)
        os.kill(next(p.pid for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline())), 9)
        time.sleep(1)
        facts["survivor_poll"] = survivor.poll()
        facts["survivor_serving"] = wait_until_serving("127.0.0.1", port, 5) >= 0
        stop_group(survivor, grace_s=10)
        facts["survivor_stopped"] = survivor.returncode is not None
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
"""


def serve(tmp_path: Path, mode: str) -> dict:
    (tmp_path / "defs.py").write_text(textwrap.dedent(DEFS))
    (tmp_path / "serve.py").write_text(textwrap.dedent(SERVE))
    done = subprocess.run(
        [sys.executable, str(tmp_path / "serve.py"), str(tmp_path / "defs.py"), mode],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_proxy_and_its_children_are_forks_in_one_group_and_a_reload_forks_again(tmp_path: Path) -> None:
    facts = serve(tmp_path, "proxy")
    forks = {int(pid): command for pid, command in facts["forks"].items()}
    proxy = facts["server"]
    child = next(pid for pid in forks if pid != proxy)
    assert sorted(forks) == sorted([proxy, child]), "the proxy and its child, both forks of the forkserver"
    assert " -m data_manager.control.forked_run_workers code-server start -f " in forks[proxy]
    assert " -m data_manager.control.forked_run_workers api grpc " in forks[child]
    assert set(facts["groups"].values()) == {proxy}, "the child is in the proxy's process group"
    after = {int(pid): command for pid, command in facts["after_reload"].items()}
    new_child = next(pid for pid in after if pid != proxy)
    assert new_child != child and "api grpc" in after[new_child], "the reload forked a new child"
    assert facts["left"] == {}, "stopping the group stops the proxy and its child"
    assert "Started Dagster code proxy server" in facts["output"] and "[probe] " in facts["output"]


def test_a_direct_server_leads_its_group_and_after_a_killed_forkserver_a_new_one_serves(tmp_path: Path) -> None:
    facts = serve(tmp_path, "direct")
    forks = {int(pid): command for pid, command in facts["forks"].items()}
    assert list(forks) == [facts["server"]] and " api grpc -f " in forks[facts["server"]]
    assert facts["groups"] == {str(facts["server"]): facts["server"]}
    assert facts["returncode"] is not None and facts["left"] == {}
    assert facts["bad_returncode"] == 2 and facts["new_address"], facts["bad_output"]
    assert "Error: No such option '--no-such-option'" in facts["bad_output"]
    assert facts["survivor_poll"] is None and facts["survivor_serving"] and facts["survivor_stopped"]
