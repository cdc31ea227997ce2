"""Documents the tests make themselves: HTML pages, a JSON feed, a PDF (reportlab) and a scanned PNG (Pillow)."""

from __future__ import annotations

import io
import json

PRODUCTS = [
    {"sku": "A-1", "name": "Anvil", "price": "12.50", "stock": "3", "added": "2024-01-05", "active": "yes"},
    {"sku": "B-2", "name": "Bucket", "price": "4.00", "stock": "10", "added": "2024-02-11", "active": "no"},
    {"sku": "C-3", "name": "Chisel", "price": "7.25", "stock": "0", "added": "2024-03-20", "active": "yes"},
]


def product_page(product: dict[str, str]) -> bytes:
    return f"""<html><body><div class="product">
        <h1 class="name">  {product["name"]} </h1>
        <span class="sku" data-sku="{product["sku"]}">SKU {product["sku"]}</span>
        <p class="price">€ {product["price"]}</p><p id="stock">{product["stock"]}</p>
        <time>{product["added"]}</time><b class="active">{product["active"]}</b>
    </div></body></html>""".encode()


def catalogue_html() -> bytes:
    rows = "".join(
        f"<tr><td>{p['sku']}</td><td>{p['name']}</td><td>{p['price']}</td><td>{p['stock']}</td></tr>" for p in PRODUCTS
    )
    return f"""<html><body><table id="nav"><tr><td>menu</td></tr></table>
        <table><tr><th>SKU</th><th>Product name</th><th>Price</th><th>Stock</th></tr>{rows}</table></body></html>""".encode()


def products_json() -> bytes:
    return json.dumps({"meta": {"count": len(PRODUCTS)}, "items": PRODUCTS}).encode()


def invoice_pdf() -> bytes:
    """A PDF with key/value text on top and a ruled table of products (reportlab)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    table = Table(
        [["SKU", "Product name", "Price", "Stock"]] + [[p["sku"], p["name"], p["price"], p["stock"]] for p in PRODUCTS]
    )
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story = [
        Paragraph("Invoice number: INV-2024-0042", styles["Normal"]),
        Paragraph("Customer: ACME Tools GmbH", styles["Normal"]),
        Paragraph("Total: 1.234,50 EUR", styles["Normal"]),
        Paragraph("Issued: 05.03.2024", styles["Normal"]),
        table,
    ]
    SimpleDocTemplate(buffer, pagesize=A4).build(story)
    return buffer.getvalue()


def scanned_png() -> bytes:
    """Text rendered to an image, as a scanner would deliver it."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1400, 420), color=255)
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 44)
    except OSError:
        font = ImageFont.load_default(size=44)
    for row, line in enumerate(["Invoice number: INV-7781", "Customer: Globex Corporation", "Total: 991.20"]):
        draw.text((40, 40 + row * 120), line, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
