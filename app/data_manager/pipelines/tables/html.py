"""HTML tables as grids: a cell spanning rows or columns (`rowspan`, `colspan`) fills every slot it covers.

The leading rows made of `<th>` cells are the table's header (however many fields they name).
"""

from __future__ import annotations

from parsel import Selector

from data_manager.pipelines.strategies.dom_selection import node_text
from data_manager.pipelines.tables.model import RawTable

MAX_SPAN = 1000  # a span is capped: `colspan="100000000"` must not fill memory


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_SPAN)
    except ValueError:
        return 1


def grid(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Rows of (text, rowspan, colspan) cells as a rectangular-ish grid with spans filled in."""
    out: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still covered below)
    for cells in rows:
        row: list[str] = []
        queue = list(cells)
        column = 0
        while queue or any(c >= column for c in pending):
            if column in pending:
                text, left = pending[column]
                row.append(text)
                if left > 1:
                    pending[column] = (text, left - 1)
                else:
                    del pending[column]
                column += 1
                continue
            if not queue:
                row.append("")  # a hole before a span further right
                column += 1
                continue
            text, rowspan, colspan = queue.pop(0)
            for offset in range(colspan):
                row.append(text)
                if rowspan > 1:
                    pending[column + offset] = (text, rowspan - 1)
            column += colspan
        out.append(row)
    return out


def html_tables(text: str) -> list[RawTable]:
    """Every <table> (nested ones on their own), in document order, spans filled."""
    tables = []
    for index, table in enumerate(Selector(text=text).css("table")):
        html_rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
        rows = [
            [(node_text(cell), _span(cell.attrib.get("rowspan")), _span(cell.attrib.get("colspan")))
             for cell in row.xpath("./th|./td")]
            for row in html_rows
        ]  # fmt: skip
        headers = 0
        while headers < len(html_rows) and html_rows[headers].xpath("./th") and not html_rows[headers].xpath("./td"):
            headers += 1
        filled = [row for row in grid(rows) if any(c.strip() for c in row)]
        tables.append(RawTable(index=index, rows=filled, header_rows=headers or None))
    return tables
