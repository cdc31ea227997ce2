"""A PDF page as a PNG image (pypdfium2), for the template editor to outline the tables preview found.

The image has the page as shown (its rotation applied), `scale` pixels per PDF point, so a table's box
from preview ([x0, top, x1, bottom] in points) is at those coordinates times `scale`. pdfium is not
thread-safe: every use of it in this process holds PDFIUM_LOCK.
"""

from __future__ import annotations

import io
import threading

from data_manager.pipelines.limits import ExtractionError

PDFIUM_LOCK = threading.Lock()
MAX_PIXELS = 40_000_000
MIN_SCALE, MAX_SCALE = 0.1, 4.0


class PageNotFound(ExtractionError):
    """The document has no such page."""


def render_page(data: bytes, number: int, scale: float, name: str) -> bytes:
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            raise ExtractionError(f"{name}: not a readable PDF") from None
        try:
            pages = len(pdf)
            if not 1 <= number <= pages:
                raise PageNotFound(f"{name} has {pages} page(s): there is no page {number}")
            page = pdf[number - 1]
            width, height = page.get_size()
            if width * height * scale * scale > MAX_PIXELS:
                raise ExtractionError(
                    f"page {number} at scale {scale} is over {MAX_PIXELS} pixels: use a smaller scale"
                )
            image = page.render(scale=scale).to_pil()
        finally:
            pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()
