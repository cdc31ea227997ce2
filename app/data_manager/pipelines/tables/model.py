"""A table as found in a document, before any template is applied, and the page text around it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from data_manager.pipelines.findings import Box

DASHES = "-\u2013\u2014"  # hyphen, en dash, em dash
PAGE_NUMBER = re.compile(
    rf"^\s*[{DASHES}(]?\s*(page|p\.|seite|pagina)?\s*\d{{1,4}}\s*((of|/|von|de|sur)\s*\d{{1,4}})?\s*[{DASHES})]?\s*$",
    re.IGNORECASE,
)


@dataclass
class RawTable:
    index: int  # in document order, 0-based
    rows: list[list[str]]  # cell text; lines inside a cell separated by "\n"
    page: int | None = None  # 1-based; None for documents without pages (HTML)
    bbox: Box | None = None
    columns: list[tuple[float, float]] | None = None  # x0, x1 of each column
    first_on_page: bool = True
    last_on_page: bool = True
    lines_above: list[str] = field(default_factory=list)  # text between the page's top and the table
    ruled: bool = True  # rows delimited by rules (a wrapped cell stays in its row)
    scanned: bool = False  # read by OCR
    header_rows: int | None = None  # known from the document (HTML rows of <th> cells), else found
    row_boxes: list[Box] | None = None  # each row's box on its page, as `rows` (PDF); None where unknown

    def row_box(self, number: int) -> Box | None:
        return self.row_boxes[number] if self.row_boxes and number < len(self.row_boxes) else None


def rows_with_text(rows: list[list[str]], boxes: list[Box]) -> tuple[list[list[str]], list[Box]]:
    """The rows with any text, and their boxes (blank rows hold nothing; the boxes stay the rows' own)."""
    kept = [(row, box) for row, box in zip(rows, boxes, strict=True) if any(cell.strip() for cell in row)]
    return [row for row, _ in kept], [box for _, box in kept]


def exact_key(text: str) -> str:
    """A line as furniture compares it: case and spaces ignored."""
    return "=" + "".join(text.lower().split())


def masked_key(text: str) -> str:
    """A line outside tables as furniture compares it: also its numbers ignored (`Page 3`, `Printed 2017-01-05`)."""
    return "#" + re.sub(r"\d+", "#", "".join(text.lower().split()))


def is_page_furniture(text: str, furniture: frozenset[str]) -> bool:
    """A page number (`Page 3 of 20`, `- 3 -`) or a line repeated on other pages (running head, footer).

    `furniture` holds exact keys of lines repeated anywhere near a page's top or bottom, and masked keys
    of such lines outside tables only (table rows differ by their numbers alone too often)."""
    return bool(text.strip()) and (
        bool(PAGE_NUMBER.match(text)) or exact_key(text) in furniture or masked_key(text) in furniture
    )


def cell_text(cell: str | None) -> str:
    return " ".join((cell or "").split())
