"""A short soak (`scripts/soak.py`, what `make soak` runs for 10 minutes): two minutes of mixed load on its own
`make dev` stack with the embedded Postgres, while the postmaster is killed -9 and later restarted, a code server
and a run worker are killed -9, the platform API is killed -9 and a broken YAML is pushed through the designer;
as root, the disk under the runs' storage folder is also filled (the run fails naming ENOSPC, its retry succeeds).

Afterwards every run is terminal, each submitted run succeeded (itself or through Dagster's automatic retry),
the tables hold their rows exactly once, the API never answered 500, and Ctrl-C left no process behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from stack import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(330), pytest.mark.timeout(2400)]
FAULTS = "postgres_kill,code_server,run_worker,broken_yaml,postgres_restart,api"
if os.geteuid() == 0:  # a full disk needs a tmpfs mounted over the stack's storage folder
    FAULTS += ",disk_full"


def test_two_minute_soak_loses_nothing_and_leaves_nothing(mariadb_server) -> None:
    environment = {
        **os.environ,
        "MYSQL_HOST": mariadb_server.host,
        "MYSQL_PORT": str(mariadb_server.port),
        "MYSQL_USER": mariadb_server.user,
        "MYSQL_PASSWORD": mariadb_server.password,
    }
    result = subprocess.run(
        [sys.executable, "scripts/soak.py", "--minutes", "2", "--faults", FAULTS],
        cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=2300,
    )  # fmt: skip
    lines = result.stdout.strip().splitlines()
    assert lines, result.stderr[-3000:]
    report = json.loads(lines[-1])
    print(lines[-1])
    assert report["faults"] == dict.fromkeys(FAULTS.split(","), 1), report
    assert report["runs"] >= 6 and report["lost"] == 0 and report["stuck"] == 0, report
    assert all(report["tables_exact"].values()), report
    assert report["orphans"] == [] and report["api_problems"] == [] and report["fault_problems"] == [], report
    assert result.returncode == 0 and report["ok"], (report, result.stderr[-3000:])
