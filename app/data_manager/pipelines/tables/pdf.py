"""The tables of a PDF, page by page, with pdfplumber; scanned pages (an image, no text) through OCR.

For each table: its page, box, column positions, the text of its non-empty rows, whether it is the
first or last table of its page and the text lines above it (what stitching needs). Lines in the top
and bottom FURNITURE_BAND of the page that recur on two or more pages are the document's page
furniture (running heads, footers): the same text (also when a table's box takes it in), or outside
tables the same text but for its numbers. Pages are closed as soon as they are read, so a 500-page
document does not keep every page's objects in memory.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from data_manager.pipelines.documents import Document
from data_manager.pipelines.findings import PAGE_NOT_READ, PageInfo, Skip
from data_manager.pipelines.tables.model import RawTable, exact_key, masked_key, rows_with_text
from data_manager.pipelines.tables.options import TableOptions

LINE_TOLERANCE = 2.0  # points: chars whose tops differ less are on one line
SCANNED_IMAGE_SHARE = 0.5  # a page without text whose images cover this much of it is a scan
FURNITURE_BAND = 0.12  # share of the page height at its top and bottom where running heads and footers are


@dataclass
class PdfTables:
    tables: list[RawTable] = field(default_factory=list)
    pages: list[PageInfo] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)  # pages that could not be read (a scan without OCR)
    furniture: frozenset[str] = frozenset()


def text_lines(chars: list[dict[str, Any]]) -> list[str]:
    """Chars grouped into lines (by top), each line's chars in x order, a space where they are apart."""
    lines: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])):
        if lines and abs(lines[-1][0]["top"] - char["top"]) <= LINE_TOLERANCE:
            lines[-1].append(char)
        else:
            lines.append([char])
    out = []
    for line in lines:
        line.sort(key=lambda c: c["x0"])
        text = line[0]["text"]
        for before, char in itertools.pairwise(line):
            text += (" " if char["x0"] - before["x1"] > 1.5 else "") + char["text"]
        out.append(text.strip())
    return [line for line in out if line]


def table_cells(table: Any, chars: list[dict[str, Any]], middles: list[float]) -> list[list[str]]:
    """The table's cell text, as pdfplumber's `Table.extract()` reads it (a char belongs to the cell its middle
    lies in), but each row looks only at the chars between its top and bottom (`chars` sorted by middle)."""
    from pdfplumber.utils import extract_text

    rows = []
    for row in table.rows:
        x0, top, x1, bottom = row.bbox
        found = chars[bisect_left(middles, top) : bisect_left(middles, bottom)]
        in_row = sorted((c for c in found if x0 <= (c["x0"] + c["x1"]) / 2 < x1), key=lambda c: c["_order"])
        cells = []
        for cell in row.cells:
            if cell is None:
                cells.append("")
                continue
            cx0, ctop, cx1, cbottom = cell
            inside = [
                c for c in in_row
                if cx0 <= (c["x0"] + c["x1"]) / 2 < cx1 and ctop <= (c["top"] + c["bottom"]) / 2 < cbottom
            ]  # fmt: skip
            cells.append(extract_text(inside) if inside else "")
        rows.append(cells)
    return rows


def _by_middle(chars: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[float]]:
    ordered = sorted(({**c, "_order": n} for n, c in enumerate(chars)), key=lambda c: (c["top"] + c["bottom"]) / 2)
    return ordered, [(c["top"] + c["bottom"]) / 2 for c in ordered]


def _inside(char: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    return box[0] <= char["x0"] and char["x1"] <= box[2] and box[1] <= char["top"] and char["bottom"] <= box[3]


def is_scanned(page: Any) -> bool:
    if page.chars:
        return False
    covered = sum((img["x1"] - img["x0"]) * (img["bottom"] - img["top"]) for img in page.images)
    return covered >= SCANNED_IMAGE_SHARE * float(page.width) * float(page.height)


def read_pdf(document: Document, options: TableOptions) -> PdfTables:
    out = PdfTables()
    banded: list[set[str]] = []  # per page: furniture keys of the lines in its top and bottom bands
    with document.pdf() as pdf:
        numbers = options.page_numbers(len(pdf.pages))
        chosen = set(numbers)
        out.pages = [
            PageInfo(n + 1, float(p.width), float(p.height), read=n + 1 in chosen) for n, p in enumerate(pdf.pages)
        ]
        for number in numbers:
            page = pdf.pages[number - 1]
            try:
                region = page.crop(options.crop, strict=False) if options.crop else page
                if is_scanned(region):
                    out.pages[number - 1].scanned = True
                    _scanned(out, region, number, options)
                    continue
                found = region.find_tables(options.table_settings())
                chars = region.chars
                band = FURNITURE_BAND * float(page.height)
                near_edge = [c for c in chars if c["bottom"] <= band or c["top"] >= float(page.height) - band]
                outside = [c for c in near_edge if not any(_inside(c, t.bbox) for t in found)]
                banded.append(
                    {exact_key(x) for x in text_lines(near_edge)} | {masked_key(x) for x in text_lines(outside)}
                )
                top = min((t.bbox[1] for t in found), default=0.0)
                lines_above = text_lines([c for c in chars if c["bottom"] <= top]) if found else []
                ordered, middles = _by_middle(chars) if found else ([], [])
                for n, table in enumerate(sorted(found, key=lambda t: (t.bbox[1], t.bbox[0]))):
                    boxes = [tuple(float(v) for v in row.bbox) for row in table.rows]
                    rows, row_boxes = rows_with_text(table_cells(table, ordered, middles), boxes)  # type: ignore[arg-type]
                    out.tables.append(
                        RawTable(
                            index=len(out.tables),
                            rows=rows,
                            row_boxes=row_boxes,
                            page=number,
                            bbox=tuple(float(v) for v in table.bbox),  # type: ignore[arg-type]
                            columns=[(float(c.bbox[0]), float(c.bbox[2])) for c in table.columns],
                            first_on_page=n == 0,
                            last_on_page=n == len(found) - 1,
                            lines_above=lines_above if n == 0 else [],
                            ruled=options.horizontal_strategy in ("lines", "lines_strict"),
                        )
                    )
            finally:
                page.close()
    counts = Counter(key for keys in banded for key in keys)
    out.furniture = frozenset(key for key, seen in counts.items() if seen >= 2)
    return out


def _scanned(out: PdfTables, page: Any, number: int, options: TableOptions) -> None:
    from data_manager.pipelines.tables.scanned import OcrUnavailable, scanned_table

    if options.ocr == "off":
        out.skipped.append(
            Skip(number, None, PAGE_NOT_READ, "scanned page (no text layer); strategy_config.ocr is off", rows=0)
        )
        return
    try:
        table = scanned_table(page, number, len(out.tables), options.ocr_dpi, options.ocr_lang)
    except OcrUnavailable as exc:
        out.skipped.append(Skip(number, None, PAGE_NOT_READ, f"scanned page (no text layer): {exc}", rows=0))
        return
    if table is None:
        out.skipped.append(Skip(number, None, PAGE_NOT_READ, "scanned page: OCR found no ruled table on it", rows=0))
        return
    out.tables.append(table)
