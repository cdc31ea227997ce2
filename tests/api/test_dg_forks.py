"""dg commands in forks of a warm server: the same answers as a subprocess, isolated, bounded in time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import pytest

from data_manager.designer.dg import commands as dg_commands
from data_manager.designer.dg import forks as dg_forks
from data_manager.designer.layout import location_layout
from data_manager.paths import ProjectPaths


@pytest.fixture(scope="module")
def forks() -> None:
    dg_forks.enable()


@pytest.fixture
def probes(tmp_path: Path) -> dict[str, str]:
    """Modules the forks run, and a `data_manager` package of their own on their PYTHONPATH."""
    modules = {
        "probe_own_code": "import data_manager, dagster; print(data_manager.__file__); print(hasattr(dagster, 'marked'))",
        "probe_mark": "import dagster; dagster.marked = True; print('marked')",
        "probe_exit": "import sys; print('partial'); print('bad thing', file=sys.stderr); raise SystemExit(3)",
        "probe_crash": "raise RuntimeError('boom')",
        "probe_sleep": "import time; time.sleep(60)",
    }
    for name, code in modules.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(code) + "\n")
    (tmp_path / "data_manager").mkdir()
    (tmp_path / "data_manager" / "__init__.py").write_text("")
    return {**os.environ, "PYTHONPATH": str(tmp_path)}


def forkserver_pid() -> int:
    """The stdlib forkserver this process started (its command line names multiprocessing.forkserver)."""
    found = [pid for pid in children_of(os.getpid()) if b"multiprocessing.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()]  # fmt: skip
    assert len(found) == 1, found
    return found[0]


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_a_fork_answers_as_a_dg_subprocess_does(forks: None, designer_env: dict[str, str]) -> None:
    paths = ProjectPaths.discover()  # the repository copy
    assert str(paths.home) == designer_env["DATA_PLATFORM_HOME"]
    layout = location_layout(paths, "sql_sync")
    started = time.perf_counter()
    forked = dg_commands.run(paths, layout.project_dir, ["list", "defs", "--json"])
    forked_s = time.perf_counter() - started
    assert forkserver_pid()
    environ = dg_commands.dg_environment(paths)
    code, stdout, _ = dg_forks.run(["check", "yaml"], layout.project_dir, environ, 120)
    assert (code, stdout.strip()) == (0, "All component YAML validated successfully.")
    code, _, stderr = dg_forks.run(["nonsense"], layout.project_dir, environ, 120)
    assert code == 2 and "Usage: dg " in stderr and "No such command 'nonsense'" in stderr
    try:
        dg_forks._context, context = None, dg_forks._context  # the subprocess path, for the comparison
        started = time.perf_counter()
        alone = dg_commands.run(paths, layout.project_dir, ["list", "defs", "--json"])
        alone_s = time.perf_counter() - started
    finally:
        dg_forks._context = context
    keys = lambda result: sorted(asset["asset_key"] for asset in json.loads(result.stdout)["assets"])  # noqa: E731
    assert forked.ok and alone.ok and keys(forked) == keys(alone) and len(keys(alone)) > 3
    assert forked_s < alone_s, f"a fork took {forked_s:.1f}s, a subprocess {alone_s:.1f}s"


def test_a_fork_imports_its_own_code_and_leaves_no_state(forks: None, probes: dict, tmp_path: Path) -> None:
    code, stdout, _ = dg_forks.run([], tmp_path, probes, 60, python_module="probe_mark")
    assert (code, stdout) == (0, "marked\n")
    code, stdout, _ = dg_forks.run([], tmp_path, probes, 60, python_module="probe_own_code")
    assert code == 0 and stdout.splitlines() == [str(tmp_path / "data_manager" / "__init__.py"), "False"]


def test_what_every_command_imports_is_warm_before_the_fork(forks: None, probes: dict, tmp_path: Path) -> None:
    """dg's subcommands, the temporary instance's storage and dbt's graph: imported in the forkserver, not again in
    each fork (two thirds of a warm `dg check defs` before they were, by py-spy)."""
    expected = ["dagster_dg_cli.cli.check", "dagster_dg_cli.cli.list", "dagster_dg_cli.cli.plus", "sqlalchemy",
                "alembic", "dagster._core.storage.sqlite_storage", "dbt.graph"]  # fmt: skip
    probe = f"import json, sys; print(json.dumps([m for m in {expected!r} if m not in sys.modules]))"
    (tmp_path / "probe_preloaded.py").write_text(probe + "\n")
    code, stdout, stderr = dg_forks.run([], tmp_path, probes, 60, python_module="probe_preloaded")
    assert (code, json.loads(stdout)) == (0, []), stderr


def test_exit_codes_output_and_crashes_come_back(forks: None, probes: dict, tmp_path: Path) -> None:
    assert dg_forks.run([], tmp_path, probes, 60, python_module="probe_exit") == (3, "partial\n", "bad thing\n")
    code, _, stderr = dg_forks.run([], tmp_path, probes, 60, python_module="probe_crash")
    assert code == 1 and stderr.strip().endswith("RuntimeError: boom")


def test_a_fork_past_its_timeout_is_killed(forks: None, probes: dict, tmp_path: Path) -> None:
    server_pid = forkserver_pid()
    started = time.perf_counter()
    with pytest.raises(dg_forks.ForkTimeout):
        dg_forks.run([], tmp_path, probes, 1.0, python_module="probe_sleep")
    assert time.perf_counter() - started < 10
    deadline = time.monotonic() + 10
    while children_of(server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert children_of(server_pid) == []


def test_the_server_ends_with_the_process_that_started_it() -> None:
    """A killed API (no atexit) leaves no forkserver behind."""
    starter = subprocess.Popen(
        [sys.executable, "-c", "from data_manager.designer.dg import forks as dg_forks\ndg_forks.enable()\n"
         "import os, time; print(os.getpid(), flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    starter_pid = int(starter.stdout.readline())
    deadline = time.monotonic() + 30
    while not (servers := children_of(starter_pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert servers, "enable() starts the forkserver"
    starter.kill()
    starter.wait()
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in servers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in servers)


def test_concurrent_commands_each_get_their_own_fork(forks: None, probes: dict, tmp_path: Path) -> None:
    (tmp_path / "probe_echo.py").write_text("import sys, time; time.sleep(0.5); print(sys.argv[1])\n")
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda n: dg_forks.run([str(n)], tmp_path, probes, 60, "probe_echo"), range(4)))
    assert answers == [(0, f"{n}\n", "") for n in range(4)]


def test_a_dying_forkserver_falls_back_to_a_subprocess(forks: None, probes: dict, tmp_path: Path) -> None:
    """Killed while it starts a command: dg_commands runs that one command as a subprocess instead."""
    paths = ProjectPaths.discover()
    with mock.patch.object(dg_forks.warm_forks, "run_in_fork", side_effect=EOFError("unexpected EOF")):
        result = dg_commands.run(paths, tmp_path, [], 60, python_module="probe_mark", code_first=[tmp_path])
    assert (result.returncode, result.stdout) == (0, "marked\n")


def test_a_dead_forkserver_is_started_again(forks: None, probes: dict, tmp_path: Path) -> None:
    dead = forkserver_pid()
    os.kill(dead, 9)  # the stdlib reaps it and starts a new one at the next command
    deadline = time.monotonic() + 10
    while Path(f"/proc/{dead}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dg_forks.run([], tmp_path, probes, 120, python_module="probe_mark") == (0, "marked\n", "")
    assert forkserver_pid() != dead
