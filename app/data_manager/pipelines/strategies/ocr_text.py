"""`ocr_text`: text recognised by tesseract (pytesseract) on images and scanned PDFs, then read as key_value.

strategy_config: `lang` (tesseract language, default `eng`), `dpi` for PDF pages (default 300),
`psm` (page segmentation mode, default 6) and the key_value options. Fields are labels or `regex:` patterns.
"""

from __future__ import annotations

import io
import shutil

from data_manager.pipelines.documents import Document
from data_manager.pipelines.findings import Findings
from data_manager.pipelines.limits import ExtractionError
from data_manager.pipelines.strategies import ExtractionSpec, key_value
from data_manager.pipelines.tables.options import OPTIONS as TABLE_OPTIONS

OCR_TIMEOUT_S = 120
MAX_PIXELS = 60_000_000


def _psm(value: object) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 13
    return None if ok else f"{value!r} is not a tesseract page segmentation mode (0-13)"


OPTIONS = {"lang": TABLE_OPTIONS["ocr_lang"], "dpi": TABLE_OPTIONS["ocr_dpi"], "psm": _psm, **key_value.OPTIONS}


def check(spec: ExtractionSpec) -> list[str]:
    return key_value.check(spec)


def environment(spec: ExtractionSpec) -> list[str]:
    if shutil.which("tesseract") is None:
        return ["ocr_text needs the tesseract program: install it (Debian: apt-get install tesseract-ocr)"]
    return []


def recognise(image, spec: ExtractionSpec, name: str) -> str:
    import pytesseract

    if image.width * image.height > MAX_PIXELS:
        raise ExtractionError(f"{name}: image of {image.width}x{image.height} pixels is over the OCR limit")
    config = f"--psm {int(spec.option('psm', 6))}"
    try:
        return pytesseract.image_to_string(image, lang=spec.option("lang", "eng"), config=config, timeout=OCR_TIMEOUT_S)
    except RuntimeError as exc:  # pytesseract's timeout
        raise ExtractionError(f"{name}: OCR stopped: {exc}") from None
    except pytesseract.TesseractError as exc:
        raise ExtractionError(f"{name}: tesseract failed: {exc.message.strip()}") from None


def document_text(document: Document, spec: ExtractionSpec) -> str:
    from PIL import Image, UnidentifiedImageError

    if document.kind == "image":
        try:
            image = Image.open(io.BytesIO(document.data))
            image.load()
        except (UnidentifiedImageError, OSError):
            raise ExtractionError(f"{document.name}: not a readable image") from None
        return recognise(image, spec, document.name)
    if document.kind == "pdf":
        dpi = int(spec.option("dpi", 300))
        with document.pdf() as pdf:
            return "\n".join(
                recognise(page.to_image(resolution=dpi).original, spec, f"{document.name} page {page.page_number}")
                for page in pdf.pages
            )
    raise ExtractionError(f"{document.name}: ocr_text reads images and PDFs, not {document.kind}")


def extract(document: Document, spec: ExtractionSpec) -> Findings:
    return Findings.of_records([key_value.values_from_text(document_text(document, spec), {}, spec)])
