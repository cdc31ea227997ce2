"""MySQL page queries and reader choice, without a server."""

from __future__ import annotations

import datetime as dt

from data_manager.ingestion.sql.connections import MySQLConnection
from data_manager.ingestion.sql.identifiers import TableRef
from data_manager.ingestion.sql.mysql import MySQLSource, build_select, connectorx_expression, pymysql_expression
from data_manager.ingestion.sql.source import ColumnPlan, TablePlan
from data_manager.ingestion.sql.type_mapping import SourceColumn


def _plan(key: list[str], cursor: str | None = None, key_type: str = "int") -> TablePlan:
    columns = [
        ColumnPlan(SourceColumn("region", "char", length=2), "region", "varchar(2)"),
        ColumnPlan(SourceColumn("id", key_type, precision=10, scale=2), "id", "integer"),
        ColumnPlan(SourceColumn("changed%at", "timestamp"), "changed%at", "timestamptz"),
    ]
    by_name = {c.source.name: c for c in columns}
    return TablePlan(TableRef("orders", "shop"), columns, key, "orders", by_name.get(cursor or ""))


def test_parameterized_keyset_page_escapes_percent_signs() -> None:
    plan = _plan(["region", "id"], cursor="changed%at")
    query, params = build_select(plan, ["`region`", "`id`", "`changed%at`"], dt.datetime(2024, 1, 1), ("EU", 7), 100)
    assert query == (
        "SELECT `region`, `id`, `changed%%at` FROM `shop`.`orders` WHERE `changed%%at` >= %s AND "
        "(`region` >= %s AND ((`region` > %s) OR (`region` = %s AND `id` > %s))) ORDER BY `region`, `id` LIMIT 100"
    )
    assert params == [dt.datetime(2024, 1, 1), "EU", "EU", "EU", 7]


def test_inlined_literals_for_connectorx() -> None:
    query, params = build_select(_plan(["id"]), ["`id`"], None, (41,), 50, literal=lambda v: repr(v))
    assert query == "SELECT `id` FROM `shop`.`orders` WHERE `id` > 41 ORDER BY `id` LIMIT 50" and params == []
    aware = dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    query, _ = build_select(_plan(["id"], cursor="changed%at"), ["`id`"], aware, None, None, literal=str)
    assert query.endswith("WHERE `changed%at` >= 2024-01-01 10:00:00")  # instants are compared in UTC


def test_fast_path_casts_what_arrow_could_round() -> None:
    assert connectorx_expression(SourceColumn("n", "int")) == "`n`"
    assert connectorx_expression(SourceColumn("d", "decimal", precision=65, scale=30)) == "CAST(`d` AS CHAR)"
    assert connectorx_expression(SourceColumn("t", "timestamp")) == "CONCAT(CAST(`t` AS CHAR), '+00')"
    assert connectorx_expression(SourceColumn("b", "blob")) == "CONCAT(CHAR(92), 'x', HEX(`b`))"
    assert connectorx_expression(SourceColumn("f", "bit", length=1)) == "CAST(`f` AS UNSIGNED)"
    assert connectorx_expression(SourceColumn("m", "bit", length=64)) == "CAST(`m` AS UNSIGNED)"


def test_pymysql_reads_float_as_double() -> None:
    """The text protocol rounds FLOAT to 6 significant digits; DOUBLE text is exact."""
    assert pymysql_expression(SourceColumn("f", "float")) == "CAST(`f` AS DOUBLE)"
    assert pymysql_expression(SourceColumn("f", "float", unsigned=True)) == "CAST(`f` AS DOUBLE)"
    assert pymysql_expression(SourceColumn("d", "double")) == "`d`"


def test_auto_reader_takes_the_fast_path_only_where_it_is_safe() -> None:
    source = MySQLSource(MySQLConnection("h", 3306, "u", "", "db"), reader="auto")
    assert source.reader_for(_plan(["id"])) == "connectorx"
    # incremental syncs too: the engine bounds the watermark by the cursor's maximum before the read
    assert source.reader_for(_plan(["id"], cursor="changed%at")) == "connectorx"
    assert source.reader_for(_plan([])) == "pymysql"  # no key: no bounded pages
    assert source.reader_for(_plan(["id"], key_type="decimal")) == "pymysql"  # key not exact as a literal
    assert MySQLSource(MySQLConnection("h", 3306, "u", "", "db"), reader="pymysql").reader_for(_plan(["id"])) == (
        "pymysql"
    )


def test_a_backfill_range_bounds_the_cursor_on_both_sides() -> None:
    plan = _plan(["id"], cursor="changed%at")
    start, end = dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 31)
    query, params = build_select(plan, ["`id`"], start, (7,), 10, until=end)
    assert query == (
        "SELECT `id` FROM `shop`.`orders` WHERE `changed%%at` >= %s AND `changed%%at` <= %s AND `id` > %s"
        " ORDER BY `id` LIMIT 10"
    )
    assert params == [start, end, 7]
