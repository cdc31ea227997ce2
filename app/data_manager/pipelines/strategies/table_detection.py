"""`table_detection`: rows of the tables in PDF (pdfplumber; OCR for scanned pages) and HTML documents.

A field's selector names its column header (case and spacing ignored; a header over two or three rows
is joined, `Ship` over `date` is `Ship date`) or a position (`#1` is the first column). Tables that
continue on the next pages without their header are stitched; every table and row not read is
reported with its reason (see tables/reading.py). strategy_config: see tables/options.py.
"""

from __future__ import annotations

from data_manager.pipelines.documents import Document
from data_manager.pipelines.findings import Findings
from data_manager.pipelines.limits import ExtractionError
from data_manager.pipelines.strategies import ExtractionSpec
from data_manager.pipelines.tables.html import html_tables
from data_manager.pipelines.tables.options import OPTIONS, TableOptions, combination_problems
from data_manager.pipelines.tables.reading import position_of, read_tables

__all__ = ["OPTIONS", "check", "extract"]


def check(spec: ExtractionSpec) -> list[str]:
    problems = combination_problems(spec.strategy_config)
    for field in spec.fields:
        selector = field.selector or field.name
        if selector.startswith("#") and position_of(field) is None:
            problems.append(f"fields.{field.name}.selector: column position {selector!r} must be #1, #2, ...")
    if spec.strategy_config.get("header_rows") == 0:
        named = [f.name for f in spec.fields if position_of(f) is None]
        if named:
            problems.append(
                f"strategy_config.header_rows: 0 (no header) needs positions (#1, #2, ...) as selectors, "
                f"not header names ({', '.join(named)})"
            )
    return problems


def extract(document: Document, spec: ExtractionSpec) -> Findings:
    options = TableOptions(spec.strategy_config)
    if document.kind == "pdf":
        from data_manager.pipelines.tables.pdf import read_pdf

        pdf = read_pdf(document, options)
        findings = read_tables(pdf.tables, spec.fields, options.read_options(), pdf.furniture)
        findings.pages = pdf.pages
        findings.skipped = pdf.skipped + findings.skipped
        return findings
    if document.kind in ("html", "text"):
        return read_tables(html_tables(document.text), spec.fields, options.read_options())
    raise ExtractionError(f"{document.name}: table_detection reads HTML or PDF, not {document.kind}")
