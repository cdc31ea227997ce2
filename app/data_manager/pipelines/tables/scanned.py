"""A ruled table on a scanned page: rules found in the image, removed, the text read by tesseract into cells.

The page is rendered (pypdfium2, through pdfplumber) in grey, dark pixels in long horizontal and
vertical runs are the table's rules: they give its rows and columns and are whitened, with a margin of
RULE_MARGIN pixels, before OCR (rules touching letters spoil recognition; tesseract reads the grey
image better than one we binarise). Each recognised word goes to the cell its centre lies in.
"""

from __future__ import annotations

import itertools
import shutil
from typing import Any

from data_manager.pipelines.tables.model import RawTable, rows_with_text

DARK = 160  # grey level below which a pixel is ink
RULE_WIDTH_SHARE = 0.3  # a horizontal rule spans at least this share of the page width
RULE_HEIGHT_SHARE = 0.03  # a vertical rule at least this share of its height (one or two rows)
RULE_MARGIN = 2
OCR_TIMEOUT_S = 120


class OcrUnavailable(Exception):
    """tesseract is missing or failed; the message says which."""


def long_runs(mask: Any, axis: int, length: int) -> Any:
    """The pixels of `mask` that lie in a run of at least `length` along `axis` (a morphological opening)."""
    import numpy as np

    size = mask.shape[axis]
    if length < 1 or length > size:
        return np.zeros_like(mask)
    counts = np.cumsum(mask, axis=axis, dtype=np.int32)
    counts = np.concatenate([np.zeros_like(np.take(counts, [0], axis=axis)), counts], axis=axis)
    full = (np.take(counts, range(length, size + 1), axis=axis) - np.take(counts, range(size - length + 1), axis=axis)) == length  # fmt: skip
    starts = np.cumsum(full, axis=axis, dtype=np.int32)
    starts = np.concatenate([np.zeros_like(np.take(starts, [0], axis=axis)), starts], axis=axis)
    index = np.arange(size)
    upper = np.minimum(index + 1, size - length + 1)
    lower = np.maximum(index - length + 1, 0)
    return (np.take(starts, upper, axis=axis) - np.take(starts, lower, axis=axis)) > 0


def grow(mask: Any, pixels: int) -> Any:
    """`mask` widened by `pixels` in the four directions."""
    grown = mask.copy()
    for shift in range(1, pixels + 1):
        grown[shift:, :] |= mask[:-shift, :]
        grown[:-shift, :] |= mask[shift:, :]
        grown[:, shift:] |= mask[:, :-shift]
        grown[:, :-shift] |= mask[:, shift:]
    return grown


def positions(flags: Any, gap: int = 3) -> list[float]:
    """Centres of the runs of true values (a rule a few pixels thick is one position)."""
    import numpy as np

    found: list[list[int]] = []
    for i in np.flatnonzero(flags).tolist():
        if found and i - found[-1][1] <= gap:
            found[-1][1] = i
        else:
            found.append([i, i])
    return [(a + b) / 2 for a, b in found]


def ocr_words(image: Any, lang: str) -> list[dict[str, Any]]:
    import pytesseract

    try:
        data = pytesseract.image_to_data(
            image, lang=lang, config="--psm 6", output_type=pytesseract.Output.DICT, timeout=OCR_TIMEOUT_S
        )
    except RuntimeError as exc:  # pytesseract's timeout
        raise OcrUnavailable(f"OCR stopped: {exc}") from None
    except pytesseract.TesseractError as exc:
        raise OcrUnavailable(f"tesseract failed: {exc.message.strip()}") from None
    words = []
    for i, text in enumerate(data["text"]):
        if text.strip():
            words.append(
                {"text": text.strip(), "line": (data["block_num"][i], data["par_num"][i], data["line_num"][i]),
                 "x": data["left"][i] + data["width"][i] / 2, "y": data["top"][i] + data["height"][i] / 2,
                 "left": data["left"][i]}
            )  # fmt: skip
    return words


def scanned_table(page: Any, number: int, index: int, dpi: int, lang: str) -> RawTable | None:
    """The ruled table on a scanned page (None when the image shows no rules); OcrUnavailable without tesseract."""
    import numpy as np
    from PIL import Image

    if shutil.which("tesseract") is None:
        raise OcrUnavailable("OCR needs the tesseract program (Debian: apt-get install tesseract-ocr)")
    from data_manager.pipelines.page_images import PDFIUM_LOCK

    with PDFIUM_LOCK:  # pdfplumber renders with pypdfium2
        gray = np.asarray(page.to_image(resolution=dpi).original.convert("L"))
    dark = gray < DARK
    height, width = dark.shape
    across = long_runs(dark, axis=1, length=int(width * RULE_WIDTH_SHARE))
    down = long_runs(dark, axis=0, length=int(height * RULE_HEIGHT_SHARE))
    xs = positions(down.any(axis=0))
    rows_with_rules = np.flatnonzero(down.any(axis=1))
    if len(xs) < 2 or not len(rows_with_rules):
        return None
    top, bottom = rows_with_rules[0] - 3, rows_with_rules[-1] + 3
    ys = [y for y in positions(across.any(axis=1)) if top <= y <= bottom]
    if len(ys) < 2:
        return None
    clean = np.where(grow(across | down, RULE_MARGIN), 255, gray).astype(np.uint8)
    words = ocr_words(Image.fromarray(clean), lang)
    cells: list[list[list[dict[str, Any]]]] = [[[] for _ in xs[1:]] for _ in ys[1:]]
    for word in words:
        row = next((i for i in range(len(ys) - 1) if ys[i] <= word["y"] < ys[i + 1]), None)
        column = next((j for j in range(len(xs) - 1) if xs[j] <= word["x"] < xs[j + 1]), None)
        if row is not None and column is not None:
            cells[row][column].append(word)
    scale = 72 / dpi
    x0, top0 = float(page.bbox[0]), float(page.bbox[1])  # a cropped page's image starts at its box

    def text(words: list[dict[str, Any]]) -> str:
        lines: dict[tuple[int, int, int], list[dict[str, Any]]] = {}
        for word in sorted(words, key=lambda w: (w["line"], w["left"])):
            lines.setdefault(word["line"], []).append(word)
        return "\n".join(" ".join(w["text"] for w in line) for line in lines.values())

    boxes = [
        (x0 + xs[0] * scale, top0 + a * scale, x0 + xs[-1] * scale, top0 + b * scale) for a, b in itertools.pairwise(ys)
    ]
    rows, row_boxes = rows_with_text([[text(cell) for cell in r] for r in cells], boxes)
    return RawTable(
        index=index,
        rows=rows,
        row_boxes=row_boxes,
        page=number,
        bbox=(x0 + xs[0] * scale, top0 + ys[0] * scale, x0 + xs[-1] * scale, top0 + ys[-1] * scale),
        columns=[(x0 + a * scale, x0 + b * scale) for a, b in itertools.pairwise(xs)],
        scanned=True,
    )
