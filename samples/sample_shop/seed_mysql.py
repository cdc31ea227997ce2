"""Seed the sample shop schema (samples/sample_shop/seed.sql) into MariaDB/MySQL, idempotently.

Connection from MYSQL_HOST, MYSQL_PORT, MYSQL_USER, MYSQL_PASSWORD and MYSQL_DB (default sample_shop);
the database is created when missing. Re-running changes nothing (CREATE IF NOT EXISTS, INSERT IGNORE).
"""

from __future__ import annotations

import re
from pathlib import Path

import pymysql
import typer

from data_manager.errors import UserError, cli_errors
from data_manager.settings import env

SEED_FILE = Path(__file__).resolve().with_name("seed.sql")
SEEDED_TABLES = ("customers", "products", "orders", "order_items")


def split_statements(script: str) -> list[str]:
    """Statements of the seed file: comments dropped, split on `;` at line ends (no `;` inside values)."""
    body = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))
    return [part.strip() for part in re.split(r";\s*(?:\n|$)", body) if part.strip()]


def seed(host: str, port: int, user: str, password: str, database: str, script: Path = SEED_FILE) -> dict[str, int]:
    """Create `database` if needed, apply the seed script, return the row count of each seeded table."""
    if not re.fullmatch(r"[A-Za-z0-9_]+", database):
        raise UserError(f"invalid MySQL database name {database!r}: use letters, digits and underscores")
    try:
        conn = pymysql.connect(host=host, port=port, user=user, password=password, connect_timeout=5, autocommit=True)
    except pymysql.MySQLError as exc:
        reason = exc.args[1] if len(exc.args) > 1 else exc
        raise UserError(f"cannot connect to MySQL/MariaDB at {user}@{host}:{port}: {reason}") from None
    with conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4")
        cur.execute(f"USE `{database}`")
        for statement in split_statements(script.read_text(encoding="utf-8")):
            cur.execute(statement)
        counts = {}
        for table in SEEDED_TABLES:
            cur.execute(f"SELECT COUNT(*) FROM `{table}`")
            counts[table] = int(cur.fetchone()[0])
    return counts


@cli_errors
def main(
    database: str | None = typer.Option(
        None, "--database", help="Target database (default: env MYSQL_DB, else sample_shop)."
    ),
) -> None:
    """Seed the sample shop tables into the MariaDB/MySQL server given by the MYSQL_* variables."""
    db = database or env("MYSQL_DB")
    counts = seed(env("MYSQL_HOST"), int(env("MYSQL_PORT")), env("MYSQL_USER"), env("MYSQL_PASSWORD"), db)
    summary = ", ".join(f"{table}={rows}" for table, rows in counts.items())
    print(f"seeded {db} at {env('MYSQL_HOST')}:{env('MYSQL_PORT')}: {summary}")


if __name__ == "__main__":
    typer.run(main)
