"""samples/sample_shop/seed_mysql.py: deterministic, idempotent, and a clear error when MariaDB is unreachable."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from dbt_support import SEED_SCRIPT, seed_module


def expected_counts() -> dict[str, int]:
    """Rows per table, counted from the seed file's INSERT statements (one `(id, ...)` tuple per line)."""
    counts: dict[str, int] = {}
    table = None
    for line in SEED_SCRIPT.with_name("seed.sql").read_text().splitlines():
        match = re.match(r"INSERT IGNORE INTO (\w+)", line)
        if match:
            table = match.group(1)
            counts[table] = 0
        elif table and re.match(r"\s+\(\d+,", line):
            counts[table] += 1
    return counts


def test_seed_is_deterministic_and_idempotent(mysql_database) -> None:
    seed = seed_module()
    expected = expected_counts()
    assert expected == {"customers": 25, "products": 12, "orders": 60, "order_items": 116}
    args = (mysql_database.host, mysql_database.port, mysql_database.user, mysql_database.password)
    assert seed.seed(*args, mysql_database.database) == expected
    assert seed.seed(*args, mysql_database.database) == expected


def test_seed_cli_names_an_unreachable_server() -> None:
    env = {**os.environ, "MYSQL_HOST": "127.0.0.1", "MYSQL_PORT": "1", "MYSQL_PASSWORD": "not-printed"}
    done = subprocess.run([sys.executable, str(SEED_SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot connect to MySQL/MariaDB at root@127.0.0.1:1")
    assert "not-printed" not in done.stderr
