"""Documents shaped like public reports, made with reportlab, each with its ground truth.

`shipments_register()` is one long ruled table over many pages, as a statistics office prints it: the
two-row column header on page 1 only, a running head and a "Page n of N" footer on every page,
customer names that wrap onto a second line, ship dates (and some quantities) letter-spaced, one page
stored rotated (/Rotate 90, content drawn sideways), one page scanned (an image, no text layer), and a
summary table with its own title and header after the last row, continued on the next page without
its header. `rows` is every data row exactly as a reader sees it; `summary` the summary's rows.

The bench (`make bench-pipelines`) imports this module too, for row recall and field exactness.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0  # A4 portrait, points
COLUMNS = (40.0, 120.0, 215.0, 400.0, 475.0, 555.0)  # x of the vertical rules: five columns
HEADER = (("Shipment", "Ship", "Customer", "Quantity", "Amount"), ("reference", "date", "", "(units)", "(EUR)"))
SUMMARY_COLUMNS = (40.0, 240.0, 360.0, 480.0)
SUMMARY_HEADER = ("Region", "Shipments", "Amount (EUR)")
ROW_HEIGHT, WRAPPED_ROW_HEIGHT = 20.0, 30.0
TABLE_TOP_FIRST, TABLE_TOP = 190.0, 62.0  # page 1 has a title and an introduction above the table
TABLE_BOTTOM = 790.0  # the footer sits below
FONT, FONT_SIZE = "Helvetica", 9

CUSTOMERS = (
    "Alfreds Futterkiste",
    "Blauer See Delikatessen",
    "Consolidated Holdings and Maritime Freight Services",  # wraps onto two lines
    "Ernst Handel",
    "Folk och fa HB",
    "Hungry Owl All-Night Grocers and Wholesale Suppliers",  # wraps
    "Lehmanns Marktstand",
    "Wolski Zajazd",
)
REGIONS = ("North", "South", "East", "West", "Central", "Islands", "Overseas", "Online", "Other")
FIELDS = [  # the template that reads the register
    {"name": "reference", "selector": "Shipment reference", "required": True},
    {"name": "ship_date", "field_type": "date", "selector": "Ship date", "date_formats": ["%m/%d/%Y"]},
    {"name": "customer", "selector": "Customer", "required": True},
    {"name": "quantity", "field_type": "integer", "selector": "Quantity (units)",
     "transforms": [{"kind": "parse_number"}]},
    {"name": "amount", "field_type": "decimal", "selector": "Amount (EUR)", "transforms": [{"kind": "parse_number"}]},
]  # fmt: skip


@dataclass
class Report:
    pdf: bytes
    rows: list[dict] = field(default_factory=list)  # typed, as the template's fields read them
    summary: list[dict] = field(default_factory=list)
    pages: int = 0
    row_pages: list[int] = field(default_factory=list)  # the page each row is printed on (1-based)


@dataclass
class _Row:
    reference: str
    ship_date: date
    customer: str
    quantity: int
    amount: Decimal
    spaced_date: bool
    spaced_quantity: bool

    def typed(self) -> dict:
        return {"reference": self.reference, "ship_date": self.ship_date, "customer": self.customer,
                "quantity": self.quantity, "amount": self.amount}  # fmt: skip


def _rows(count: int, seed: int) -> list[_Row]:
    rng = random.Random(seed)
    start = date(2016, 1, 4)
    return [
        _Row(
            reference=f"SR-16-{i + 1:04d}",
            ship_date=start + timedelta(days=i // 3),
            customer=CUSTOMERS[rng.randrange(len(CUSTOMERS))],
            quantity=rng.randrange(1, 25_000),
            amount=Decimal(rng.randrange(100, 9_000_000)) / 100,
            spaced_date=i % 4 == 1,
            spaced_quantity=i % 9 == 4,
        )
        for i in range(count)
    ]


def _wraps(text: str) -> bool:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, FONT, FONT_SIZE) > COLUMNS[3] - COLUMNS[2] - 8


def _wrap(text: str) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if stringWidth(candidate, FONT, FONT_SIZE) > COLUMNS[3] - COLUMNS[2] - 8 and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line]


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


class _Page:
    """Draws in top-down coordinates (like pdfplumber's `top`) on a reportlab canvas."""

    def __init__(self, canvas, number: int, total: int) -> None:
        self.c, self.number, self.total = canvas, number, total

    def text(self, x: float, top: float, text: str, size: float = FONT_SIZE, spaced: bool = False, right: bool = False,
             font: str = FONT) -> None:  # fmt: skip
        from reportlab.pdfbase.pdfmetrics import stringWidth

        self.c.setFont(font, size)
        char_space = 3.2 if spaced else 0
        if right:
            x -= stringWidth(text, font, size) + char_space * len(text)
        self.c.drawString(x, PAGE_HEIGHT - top - size, text, charSpace=char_space)

    def hline(self, x0: float, x1: float, top: float) -> None:
        self.c.line(x0, PAGE_HEIGHT - top, x1, PAGE_HEIGHT - top)

    def vlines(self, xs: tuple[float, ...], top: float, bottom: float) -> None:
        for x in xs:
            self.c.line(x, PAGE_HEIGHT - top, x, PAGE_HEIGHT - bottom)

    def furniture(self) -> None:
        self.text(40, 24, "Northwind Logistics - Shipments register 2016", size=8)
        self.text(555, 24, "Statistical release 14/2017", size=8, right=True)
        self.text(PAGE_WIDTH / 2 - 25, 812, f"Page {self.number} of {self.total}", size=8)


def _draw_row(page: _Page, row: _Row, top: float) -> float:
    lines = _wrap(row.customer)
    height = WRAPPED_ROW_HEIGHT if len(lines) > 1 else ROW_HEIGHT
    page.text(COLUMNS[0] + 4, top + 5, row.reference)
    page.text(COLUMNS[1] + 4, top + 5, row.ship_date.strftime("%m/%d/%Y"), spaced=row.spaced_date)
    for n, line in enumerate(lines):
        page.text(COLUMNS[2] + 4, top + 5 + n * 10, line)
    page.text(COLUMNS[4] - 4, top + 5, f"{row.quantity:,}", spaced=row.spaced_quantity, right=True)
    page.text(COLUMNS[5] - 4, top + 5, _money(row.amount), right=True)
    page.hline(COLUMNS[0], COLUMNS[-1], top + height)
    return height


def _layout(rows: list[_Row], pages: int, last_bottom: float = 560.0) -> list[list[_Row]]:
    """Rows per page: the table fills pages to TABLE_BOTTOM, and page `pages` up to `last_bottom` (rest dropped)."""
    per_page: list[list[_Row]] = [[]]
    top = TABLE_TOP_FIRST + 2 * ROW_HEIGHT
    for row in rows:
        height = WRAPPED_ROW_HEIGHT if _wraps(row.customer) else ROW_HEIGHT
        if len(per_page) == pages and top + height > last_bottom:
            break
        if top + height > TABLE_BOTTOM:
            per_page.append([])
            top = TABLE_TOP
        per_page[-1].append(row)
        top += height
    return per_page


def shipments_register(pages: int = 20, scanned: int | None = 7, rotated: int | None = 13, seed: int = 23) -> Report:
    """The register over `pages` pages: the table fills pages 1..pages-1, the summary ends on the last page."""
    from reportlab.pdfgen.canvas import Canvas

    per_page = _layout(_rows(pages * 40, seed), pages - 1)
    rows = [row for page_rows in per_page for row in page_rows]
    summary = _summary(rows)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    report = Report(pdf=b"", rows=[r.typed() for r in rows], summary=summary, pages=pages)
    for number in range(1, pages + 1):
        page = _Page(canvas, number, pages)
        _orient(canvas, sideways=number == rotated)
        page.furniture()
        page_rows = per_page[number - 1] if number <= len(per_page) else []
        report.row_pages += [number] * len(page_rows)
        top = TABLE_TOP
        if number == 1:
            page.text(40, 70, "Shipments register 2016", size=16, font="Helvetica-Bold")
            page.text(40, 100, "Every shipment leaving our warehouses in 2016, in the order it was booked. Amounts")
            page.text(40, 112, "are net of VAT. Dates are ship dates. A summary by region follows the register.")
            top = TABLE_TOP_FIRST
            page.hline(COLUMNS[0], COLUMNS[-1], top)
            for line, labels in enumerate(HEADER):
                for x, label in zip(COLUMNS, labels, strict=False):
                    page.text(x + 4, top + 5 + line * ROW_HEIGHT, label, font="Helvetica-Bold")
                page.hline(COLUMNS[0], COLUMNS[-1], top + (line + 1) * ROW_HEIGHT)
            top += 2 * ROW_HEIGHT
        elif page_rows:
            page.hline(COLUMNS[0], COLUMNS[-1], top)
        start = top
        for row in page_rows:
            top += _draw_row(page, row, top)
        if page_rows:
            page.vlines(COLUMNS, TABLE_TOP_FIRST if number == 1 else start, top)
        if number == pages - 1:
            _summary_table(page, summary[:5], top + 40, title=True)
        if number == pages:
            _summary_table(page, summary[5:], TABLE_TOP, title=False)
        canvas.showPage()
    canvas.save()
    report.pdf = buffer.getvalue()
    if scanned:
        report.pdf = _scan_page(report.pdf, scanned)
    return report


def _summary(rows: list[_Row]) -> list[dict]:
    totals: dict[str, list] = {region: [0, Decimal(0)] for region in REGIONS}
    for n, row in enumerate(rows):
        region = REGIONS[n % len(REGIONS)]
        totals[region][0] += 1
        totals[region][1] += row.amount
    return [{"region": r, "shipments": c, "amount": a} for r, (c, a) in totals.items()]


def _summary_table(page: _Page, items: list[dict], top: float, title: bool) -> None:
    if title:
        page.text(40, top - 24, "Summary by region", size=12, font="Helvetica-Bold")
        page.hline(SUMMARY_COLUMNS[0], SUMMARY_COLUMNS[-1], top)
        for x, label in zip(SUMMARY_COLUMNS, SUMMARY_HEADER, strict=False):
            page.text(x + 4, top + 5, label, font="Helvetica-Bold")
        start, top = top, top + ROW_HEIGHT
    else:
        start = top
    page.hline(SUMMARY_COLUMNS[0], SUMMARY_COLUMNS[-1], top)
    for item in items:
        page.text(SUMMARY_COLUMNS[0] + 4, top + 5, item["region"])
        page.text(SUMMARY_COLUMNS[2] - 4, top + 5, str(item["shipments"]), right=True)
        page.text(SUMMARY_COLUMNS[3] - 4, top + 5, _money(item["amount"]), right=True)
        top += ROW_HEIGHT
        page.hline(SUMMARY_COLUMNS[0], SUMMARY_COLUMNS[-1], top)
    page.vlines(SUMMARY_COLUMNS, start, top)


def _orient(canvas, sideways: bool) -> None:
    """A sideways page is stored with a landscape media box and /Rotate 90, and shows upright like the others."""
    canvas.setPageRotation(90 if sideways else 0)  # reportlab then writes the media box landscape
    if not sideways:
        return
    # Shown clockwise, media point (mx, my) appears at (my, PAGE_HEIGHT - mx): draw through the inverse.
    canvas.translate(PAGE_HEIGHT, 0)
    canvas.rotate(90)


def _scan_page(pdf: bytes, number: int, dpi: int = 200) -> bytes:
    """Replace page `number` by a grey-scale image of itself (as a scanner delivers it): no text layer."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    document = pdfium.PdfDocument(pdf)
    image = document[number - 1].render(scale=dpi / 72, grayscale=True).to_pil()
    scan = io.BytesIO()
    canvas = Canvas(scan, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    canvas.drawImage(ImageReader(image), 0, 0, PAGE_WIDTH, PAGE_HEIGHT)
    canvas.showPage()
    canvas.save()
    scanned = pdfium.PdfDocument(scan.getvalue())
    document.del_page(number - 1)
    document.import_pages(scanned, index=number - 1)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


LISTING_FIELDS = [
    {"name": "code", "selector": "Code", "required": True},
    {"name": "description", "selector": "Description"},
    {"name": "units", "field_type": "integer", "selector": "Units"},
    {"name": "issued", "field_type": "date", "selector": "Issued", "date_formats": ["%d.%m.%Y"]},
]
LISTING_SETTINGS = {
    "vertical_strategy": "text",
    "horizontal_strategy": "text",
    "min_words_vertical": 15,
    "text_x_tolerance": 4,
}


def unruled_listing(pages: int = 3, rows_per_page: int = 18, seed: int = 5) -> Report:
    """A listing without rules (pdfplumber's `text` strategy): its header repeated on top of every page,
    long descriptions wrapped onto a second line (a row of their own), some dates letter-spaced, and the
    page number printed just under the last row."""
    from reportlab.pdfgen.canvas import Canvas

    rng = random.Random(seed)
    words = ("steel", "bracket", "hinge", "galvanised", "with", "mounting", "kit", "left", "right", "heavy", "duty")
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    report = Report(pdf=b"", pages=pages)
    columns = (50, 130, 400, 480)
    n = 0
    for number in range(1, pages + 1):
        page = _Page(canvas, number, pages)
        page.text(50, 30, "Parts issued - listing", size=11, font="Helvetica-Bold")
        for x, label in zip(columns, ("Code", "Description", "Units", "Issued"), strict=True):
            page.text(x, 70, label, font="Helvetica-Bold")
        top = 92.0
        for _ in range(rows_per_page):
            n += 1
            long = n % 5 == 2
            text = " ".join(rng.choice(words) for _ in range(9 if long else 3)).capitalize()
            lines = _split_words(text, 34)
            issued = date(2023, 1, 1) + timedelta(days=n)
            row = {
                "code": f"P{n:05d}",
                "description": " ".join(lines),
                "units": rng.randrange(1, 900),
                "issued": issued,
            }
            page.text(columns[0], top, row["code"])
            for k, line in enumerate(lines):
                page.text(columns[1], top + k * 13, line)
            page.text(columns[2], top, str(row["units"]))
            page.text(columns[3], top, issued.strftime("%d.%m.%Y"), spaced=n % 6 == 3)
            top += 13 * len(lines) + 5
            report.rows.append(row)
            report.row_pages.append(number)
        page.text(columns[1], top + 6, f"Page {number} of {pages}", size=9)
        canvas.showPage()
    canvas.save()
    report.pdf = buffer.getvalue()
    return report


def _split_words(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


def rowspan_html() -> tuple[bytes, list[dict]]:
    """An HTML table whose region cells span rows and whose header spans columns, with its ground truth."""
    html = b"""<html><body><table>
      <tr><th rowspan="2">Region</th><th colspan="2">Sales</th><th rowspan="2">Year</th></tr>
      <tr><th>units</th><th>amount</th></tr>
      <tr><td rowspan="3">North</td><td>10</td><td>100.50</td><td rowspan="2">2015</td></tr>
      <tr><td>11</td><td>110.00</td></tr>
      <tr><td colspan="2">n/a</td><td>2016</td></tr>
      <tr><td>South</td><td>7</td><td>70.25</td><td>2016</td></tr>
    </table></body></html>"""
    truth = [
        {"region": "North", "units": "10", "amount": "100.50", "year": "2015"},
        {"region": "North", "units": "11", "amount": "110.00", "year": "2015"},
        {"region": "North", "units": "n/a", "amount": "n/a", "year": "2016"},
        {"region": "South", "units": "7", "amount": "70.25", "year": "2016"},
    ]
    return html, truth
