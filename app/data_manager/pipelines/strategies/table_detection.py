"""`table_detection`: rows of the tables in HTML (parsel) and PDF (pdfplumber) documents.

A field's selector names its column header (case and spacing ignored) or a position (`#1` is the
first column). strategy_config: `table_index` (only that table, 0-based, in document order), else
every table whose header has all the named columns; a header repeated on a later PDF page is skipped.
"""

from __future__ import annotations

from parsel import Selector

from data_manager.errors import UserError
from data_manager.pipelines.documents import Document
from data_manager.pipelines.limits import ExtractionError
from data_manager.pipelines.strategies import ExtractionSpec, RawRecord
from data_manager.pipelines.strategies.dom_selection import node_text

Table = list[list[str]]


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).lower()


def prepare(spec: ExtractionSpec) -> None:
    index = spec.option("table_index")
    if index is not None and (not isinstance(index, int) or index < 0):
        raise UserError("strategy_config.table_index: must be a whole number >= 0")
    for field in spec.fields:
        selector = field.selector or field.name
        if selector.startswith("#") and not (selector[1:].isdigit() and int(selector[1:]) >= 1):
            raise UserError(f"fields.{field.name}.selector: column position {selector!r} must be #1, #2, ...")


def html_tables(text: str) -> list[Table]:
    tables = []
    for table in Selector(text=text).css("table"):
        rows = [[node_text(cell) for cell in row.xpath("./th|./td")] for row in table.xpath(".//tr")]
        tables.append([row for row in rows if row])
    return tables


def pdf_tables(document: Document) -> list[Table]:
    with document.pdf() as pdf:
        return [
            [[" ".join((cell or "").split()) for cell in row] for row in table]
            for page in pdf.pages
            for table in page.extract_tables()
        ]


def extract(document: Document, spec: ExtractionSpec) -> list[RawRecord]:
    if document.kind == "pdf":
        tables = pdf_tables(document)
    elif document.kind in ("html", "text"):
        tables = html_tables(document.text)
    else:
        raise ExtractionError(f"{document.name}: table_detection reads HTML or PDF, not {document.kind}")
    index = spec.option("table_index")
    if index is not None:
        if index >= len(tables):
            raise ExtractionError(f"{document.name}: table_index {index}, but the document has {len(tables)} table(s)")
        tables = [tables[index]]
    records: list[RawRecord] = []
    matched = 0
    for table in tables:
        if not table:
            continue
        header = [_norm(cell) for cell in table[0]]
        positions = {}
        for field in spec.fields:
            selector = field.selector or field.name
            if selector.startswith("#"):
                positions[field.name] = int(selector[1:]) - 1
            elif _norm(selector) in header:
                positions[field.name] = header.index(_norm(selector))
        if len(positions) < len(spec.fields):
            continue
        matched += 1
        for row in table[1:]:
            if [_norm(cell) for cell in row] == header:
                continue  # header repeated on a following page
            records.append({name: row[i] if i < len(row) else None for name, i in positions.items()})
    if not matched:
        wanted = ", ".join(f.selector or f.name for f in spec.fields)
        raise ExtractionError(f"{document.name}: no table has the columns {wanted} ({len(tables)} table(s) found)")
    return records
