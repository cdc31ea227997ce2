"""Pure table logic, on tables written out by hand: headers, stitching, skips, spans, options (no PDF, no database)."""

from __future__ import annotations

from datetime import date

import pytest

from data_manager.pipelines.fields import convert_record
from data_manager.pipelines.findings import HEADER_REPEATED, PAGE_FURNITURE, TABLE_NOT_MATCHED
from data_manager.pipelines.models import TemplateField
from data_manager.pipelines.strategies import ExtractionSpec
from data_manager.pipelines.tables.html import grid, html_tables
from data_manager.pipelines.tables.model import RawTable, exact_key, is_page_furniture, masked_key
from data_manager.pipelines.tables.options import page_ranges
from data_manager.pipelines.tables.reading import ReadOptions, continuation_problem, match_header, read_tables
from data_manager.pipelines.template_checks import template_problems
from pipelines.report_corpus import rowspan_html

FIELDS = [
    TemplateField(name="ref", selector="Reference", required=True),
    TemplateField(name="day", field_type="date", selector="Ship date", date_formats=["%m/%d/%Y"]),
    TemplateField(name="qty", field_type="integer", selector="Qty"),
]
COLUMNS = [(40.0, 120.0), (120.0, 215.0), (215.0, 300.0)]
HEADER = [["Reference", "Ship", "Qty"], ["", "date", ""]]


def table(index: int, page: int, rows: list[list[str]], **changes) -> RawTable:
    return RawTable(**{"index": index, "page": page, "rows": rows, "bbox": (40, 62, 300, 780), "columns": COLUMNS,
                       **changes})  # fmt: skip


def data(first: int, count: int) -> list[list[str]]:
    return [[f"R-{n}", f"01/{n % 28 + 1:02d}/2016", str(n)] for n in range(first, first + count)]


def refs(findings) -> list[str]:
    return [c.values["ref"] for c in findings.candidates]


def test_a_header_over_two_rows_is_joined_and_found_below_a_caption() -> None:
    match = match_header([["Table 3: shipments", "", ""], *HEADER, *data(1, 2)], FIELDS, None)
    assert match is not None
    assert (match.start, match.rows, match.positions) == (1, 2, {"ref": 0, "day": 1, "qty": 2})
    assert match_header(data(1, 3), FIELDS, None) is None
    positional = [TemplateField(name="a", selector="#2")]
    assert match_header(data(1, 3), positional, None).positions == {"a": 1}  # the first row is the header


def test_pages_without_their_header_are_stitched_and_every_row_is_read_once() -> None:
    tables = [
        table(0, 1, [*HEADER, *data(1, 5)]),
        table(1, 2, data(6, 5)),
        table(2, 3, [HEADER[0], HEADER[1], *data(11, 5)]),  # the header repeated on top of page 3
    ]
    findings = read_tables(tables, FIELDS, ReadOptions())
    assert refs(findings) == [f"R-{n}" for n in range(1, 16)]
    assert [(t.used, t.stitched_to) for t in findings.tables] == [(True, None), (True, 0), (True, 1)]
    assert [s.kind for s in findings.skipped] == [HEADER_REPEATED, HEADER_REPEATED]
    assert findings.counts() | {"unaccounted": findings.unaccounted_rows()} == {
        "tables_found": 3, "tables_used": 3, "tables_skipped": 0, "rows_found": 19, "header_rows": 2,
        "rows_used": 15, "rows_skipped": 2, "unaccounted": 0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("second", "why"),
    [
        (table(1, 3, data(6, 3)), "it is on page 3, not on the page after table 0 (page 1)"),
        (table(1, 2, data(6, 3), first_on_page=False), "it is not the first table on page 2"),
        (table(1, 2, data(6, 3), lines_above=["Summary by region"]), "text above it: 'Summary by region'"),
        (table(1, 2, [r[:2] for r in data(6, 3)]), "it has 2 columns, table 0 has 3"),
        (table(1, 2, data(6, 3), columns=[(40, 60), (60, 250), (250, 300)]), "its columns are not where table 0's are"),
        (table(1, 2, [["Region", "Shipments", "Total"], *data(6, 2)]), "its first row looks like a header"),
    ],
)
def test_a_different_table_is_not_appended_and_says_why(second: RawTable, why: str) -> None:
    findings = read_tables([table(0, 1, [*HEADER, *data(1, 3)]), second], FIELDS, ReadOptions())
    assert refs(findings) == ["R-1", "R-2", "R-3"]
    report = findings.tables[1]
    assert not report.used and report.reason.startswith("no header with the columns Reference, Ship date, Qty")
    assert f"not a continuation: {why}" in report.reason
    assert findings.skipped[-1].kind == TABLE_NOT_MATCHED and findings.skipped[-1].rows == len(second.rows)
    assert findings.unaccounted_rows() == 0


def test_running_heads_are_furniture_above_a_continuation_and_stitching_can_be_turned_off() -> None:
    furniture = frozenset({exact_key("Northwind shipments 2016"), masked_key("Printed 05.01.2017")})
    second = table(1, 2, data(4, 2), lines_above=["Northwind  Shipments 2016", "Printed 06.01.2017", "Page 2 of 9"])
    assert continuation_problem(table(0, 1, [*HEADER, *data(1, 3)]), second, furniture, None, FIELDS) is None
    off = read_tables([table(0, 1, [*HEADER, *data(1, 3)]), second], FIELDS, ReadOptions(stitch=False), furniture)
    assert refs(off) == ["R-1", "R-2", "R-3"]
    assert "stitching is off (strategy_config.stitch)" in off.tables[1].reason


def test_a_table_index_reads_that_table_and_its_continuations_and_reports_the_others() -> None:
    tables = [table(0, 1, [*HEADER, *data(1, 2)], last_on_page=False), table(1, 1, [*HEADER, *data(3, 2)], first_on_page=False),
              table(2, 2, data(5, 2))]  # fmt: skip
    findings = read_tables(tables, FIELDS, ReadOptions(table_index=1))
    assert refs(findings) == ["R-3", "R-4", "R-5", "R-6"]
    assert findings.tables[0].reason == "strategy_config.table_index is 1" and findings.unaccounted_rows() == 0


def test_unruled_tables_join_wrapped_lines_across_pages_and_skip_page_numbers() -> None:
    fields = [
        TemplateField(name="ref", selector="Reference", required=True),
        TemplateField(name="what", selector="Item"),
    ]
    first = table(0, 1, [["Reference", "Item"], ["R-1", "Steel hinge with"], ["", "mounting kit"], ["R-2", "Long"],
                         ["", "Page 1 of 2"]], ruled=False, columns=None)  # fmt: skip
    second = table(1, 2, [["", "bracket, left"], ["R-3", "Bolt"]], ruled=False, columns=None)
    findings = read_tables([first, second], fields, ReadOptions())
    assert [c.values for c in findings.candidates] == [
        {"ref": "R-1", "what": "Steel hinge with mounting kit"},
        {"ref": "R-2", "what": "Long bracket, left"},
        {"ref": "R-3", "what": "Bolt"},
    ]
    assert [(s.kind, s.row_index) for s in findings.skipped] == [(PAGE_FURNITURE, 4)]
    assert findings.rows_used == 5 and findings.unaccounted_rows() == 0
    ruled = read_tables(
        [table(0, 1, [["Reference", "Item"], ["R-1", "a"], ["", "b"]], columns=None)], fields, ReadOptions()
    )
    assert [c.values["ref"] for c in ruled.candidates] == ["R-1", None]  # a ruled row is a row: it fails as itself


def test_page_furniture_and_page_numbers() -> None:
    furniture = frozenset({exact_key("Annual report"), masked_key("Printed 2017-01-05")})
    for line in ("Page 3 of 20", "- 7 -", "3/20", "Seite 2 von 9", "annual  REPORT", "Printed 2018-02-09"):
        assert is_page_furniture(line, furniture), line
    for line in ("SR-16-0001", "Annual report 2016", "12,000", ""):
        assert not is_page_furniture(line, furniture), line


def test_html_rowspan_and_colspan_fill_every_cell_they_cover() -> None:
    assert grid([[("a", 2, 1), ("b", 1, 2)], [("c", 1, 1), ("d", 1, 1)]]) == [["a", "b", "b"], ["a", "c", "d"]]
    html, truth = rowspan_html()
    [found] = html_tables(html.decode())
    fields = [TemplateField(name=n, selector=s) for n, s in
              (("region", "Region"), ("units", "Sales units"), ("amount", "Sales amount"), ("year", "Year"))]  # fmt: skip
    findings = read_tables([found], fields, ReadOptions())
    assert [c.values for c in findings.candidates] == truth
    assert findings.header_rows == 2 and findings.unaccounted_rows() == 0


def test_letter_spaced_digits_read_for_dates_and_numbers_only() -> None:
    fields = [
        TemplateField(name="d", field_type="date", date_formats=["%m/%d/%Y"]),
        TemplateField(name="n", field_type="integer"),
        TemplateField(name="s"),
    ]
    record, errors = convert_record(fields, {"d": "0 3 / 2 5 / 2 0 16", "n": "1 2 3", "s": "a b"})
    assert (record, errors) == ({"d": date(2016, 3, 25), "n": 123, "s": "a b"}, [])


def test_page_ranges() -> None:
    assert page_ranges("1-3, 5,8-") == [(1, 3), (5, 5), (8, None)]
    assert page_ranges([2, "4-6"]) == [(2, 2), (4, 6)]
    for bad in ("3-1", "0", "", "a-b", [True], None):
        with pytest.raises(ValueError):
            page_ranges(bad)


def test_every_bad_option_and_selector_is_listed_at_once() -> None:
    config = {
        "pages": "3-1",
        "crop": [0, 0, 10],
        "vertical_strategy": "lines",
        "horizontal_strategy": "explicit",
        "snap_tolerance": -1,
        "min_words_vertical": 0,
        "header_rows": 7,
        "stitch": "yes",
        "table_index": -1,
        "ocr": "maybe",
        "ocr_dpi": 20,
        "colour": "red",
    }
    fields = [TemplateField(name="a", selector="#0"), TemplateField(name="b", transforms=[{"kind": "regex_replace", "pattern": "("}]),
              TemplateField(name="c", field_type="integer", default_value="many")]  # fmt: skip
    problems = template_problems(ExtractionSpec("table_detection", config, fields))
    assert [p.split(":")[0] for p in problems] == [
        "strategy_config.pages", "strategy_config.crop", "strategy_config.snap_tolerance",
        "strategy_config.min_words_vertical", "strategy_config.header_rows", "strategy_config.stitch",
        "strategy_config.table_index", "strategy_config.ocr", "strategy_config.ocr_dpi", "strategy_config.colour",
        "strategy_config.explicit_horizontal_lines", "fields.a.selector", "fields.b.transforms.0.pattern",
        "fields.c.default_value",
    ]  # fmt: skip
    assert "not an option of table_detection (its options: crop, edge_min_length, " in problems[9]
    good = {"pages": "1-2", "crop": [0, 50, 595, 800], "vertical_strategy": "text", "min_words_vertical": 15,
            "text_x_tolerance": 4, "header_rows": 2, "stitch": False, "ocr": "off"}  # fmt: skip
    assert template_problems(ExtractionSpec("table_detection", good, FIELDS)) == []
