"""Documents shaped like public reports (report_corpus.py) through table_detection, against their ground truth."""

from __future__ import annotations

import itertools

import pytest

from data_manager.pipelines.documents import Document
from data_manager.pipelines.extraction import read_document
from data_manager.pipelines.findings import HEADER_REPEATED, PAGE_FURNITURE, TABLE_NOT_MATCHED
from data_manager.pipelines.models import Expect, TemplateField
from data_manager.pipelines.strategies import ExtractionSpec
from pipelines.report_corpus import (
    FIELDS,
    LISTING_FIELDS,
    LISTING_SETTINGS,
    Report,
    shipments_register,
    unruled_listing,
)

TEMPLATE_FIELDS = [TemplateField(**f) for f in FIELDS]


@pytest.fixture(scope="module")
def register() -> Report:
    """20 pages: header on page 1 only, over two rows; page 7 scanned, page 13 stored sideways; a summary at the end."""
    return shipments_register()


def read(report: Report, config: dict | None = None, fields: list[TemplateField] = TEMPLATE_FIELDS, **spec):
    document = Document(1, "register.pdf", "application/pdf", report.pdf)
    return read_document(document, ExtractionSpec("table_detection", config or {}, fields, **spec))


def test_a_20_page_register_reads_every_row_once_with_exact_values_and_keeps_the_summary_apart(register) -> None:
    result = read(register)
    assert [r.values for r in result.records] == register.rows  # every row, once, in order, exact
    assert all(not r.errors for r in result.records) and result.problems == []
    assert [r.candidate.page for r in result.records] == register.row_pages
    findings = result.findings
    assert findings.unaccounted_rows() == 0
    register_tables, summary_tables = findings.tables[:19], findings.tables[19:]
    assert [t.page for t in register_tables] == list(range(1, 20))  # one per page, the scanned one too
    assert all(t.used for t in register_tables)
    assert [t.stitched_to for t in register_tables] == [None, *range(18)]
    assert register_tables[0].header == [
        "shipment reference",
        "ship date",
        "customer",
        "quantity (units)",
        "amount (eur)",
    ]
    assert [p.number for p in findings.pages if p.scanned] == [7]
    assert [(t.page, t.used, t.stitched_to) for t in summary_tables] == [(19, False, None), (20, False, 19)]
    assert "first row: 'Region | Shipments | Amount (EUR)'" in summary_tables[0].reason
    assert "it is below table 18 on the same page" in summary_tables[0].reason
    assert summary_tables[1].reason.startswith("continues table 19, which has no header")
    assert [(s.kind, s.rows) for s in findings.skipped] == [(TABLE_NOT_MATCHED, 6), (TABLE_NOT_MATCHED, 4)]
    regions = {s["region"] for s in register.summary}
    assert not any(r.values["reference"] in regions for r in result.records)
    assert findings.counts()["rows_used"] == len(register.rows) and findings.header_rows == 2


def test_a_listing_without_rules_joins_wrapped_lines_and_skips_repeated_headers_and_footers() -> None:
    listing = unruled_listing()
    result = read(listing, LISTING_SETTINGS, [TemplateField(**f) for f in LISTING_FIELDS])
    assert [r.values for r in result.records] == listing.rows
    kinds = [s.kind for s in result.findings.skipped]
    assert kinds.count(HEADER_REPEATED) == 2 and kinds.count(PAGE_FURNITURE) == 6 and len(kinds) == 8
    assert result.findings.rows_used > len(listing.rows)  # wrapped lines joined into their rows
    assert result.findings.unaccounted_rows() == 0


def test_tables_not_read_are_reported_and_expect_fails_the_document() -> None:
    """The silent drop of the issue: later pages' tables without the header. Unstitched, they are reported,
    and a template that expects records from every page (or a minimum) says what is missing."""
    small = shipments_register(pages=5, scanned=None, rotated=None)
    result = read(small, {"stitch": False}, expect=Expect(every_page=True, min_records=100))
    first_page = sum(1 for page in small.row_pages if page == 1)
    assert len(result.records) == first_page
    unread = [t for t in result.findings.tables if not t.used]
    assert [t.page for t in unread] == [2, 3, 4, 4, 5]
    assert all("stitching is off (strategy_config.stitch)" in t.reason for t in unread[:3])
    assert result.findings.unaccounted_rows() == 0
    assert result.problems == [
        f"register.pdf: {first_page} record(s), the template expects at least 100",
        "register.pdf: no records from page(s) 2, 3, 4, 5 (the template expects every page)",
    ]
    only = read(small, {"pages": "2-3"})  # pages read on their own: no header, so nothing and every table says so
    assert only.records == [] and [p.number for p in only.findings.pages if p.read] == [2, 3]
    assert only.problems[0].startswith("register.pdf: no records: 2 table(s) found, none used (no header")


def _texts_in(pdf: bytes, records) -> list[set[str]]:
    """The words printed inside each record's box on its page."""
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [set(document.pages[r.candidate.page - 1].crop(r.candidate.box).extract_text().split()) for r in records]


def _words(values: dict) -> set[str]:
    return {word for value in values.values() if isinstance(value, str) for word in value.split()}


def test_each_record_has_the_box_of_the_rows_it_was_read_from() -> None:
    """What the template editor marks on the page: a record's rows, wrapped ones as tall as they are printed."""
    report = shipments_register(pages=2, scanned=None, rotated=None)
    result = read(report)
    boxes = [r.candidate.box for r in result.records]
    assert all(boxes) and len(boxes) == len(report.rows)
    for record, box in zip(result.records, boxes, strict=True):
        table = result.findings.tables[record.candidate.table_index]
        assert table.bbox[1] <= box[1] < box[3] <= table.bbox[3]  # inside its table
    for record, words in zip(result.records, _texts_in(report.pdf, result.records), strict=True):
        assert {record.values["reference"], *record.values["customer"].split()} <= words  # a wrapped name whole
    for above, below in itertools.pairwise(result.records):
        if above.candidate.page == below.candidate.page:
            assert above.candidate.box[3] <= below.candidate.box[1]  # in order, not overlapping
    heights = {round(box[3] - box[1]) for box in boxes}
    assert len(heights) == 2  # rows with a wrapped customer are taller: no even share of the table


def test_a_record_joined_from_wrapped_lines_has_the_box_of_all_of_them() -> None:
    listing = unruled_listing(pages=1)
    result = read(listing, LISTING_SETTINGS, [TemplateField(**f) for f in LISTING_FIELDS])
    assert len(result.records) == len(listing.rows)
    for record, words in zip(result.records, _texts_in(listing.pdf, result.records), strict=True):
        assert _words(record.candidate.values) <= words
