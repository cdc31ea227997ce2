"""The table_detection strategy_config: every key checked on its own, with one clear line per bad key.

`pages` ("1-3,5,8-" or a list), `crop` ([x0, top, x1, bottom] in points), pdfplumber's table settings
(`vertical_strategy`/`horizontal_strategy`: lines, lines_strict, text, explicit; tolerances),
`header_rows` (1-3, or 0 when every field is a position; default: found), `stitch` (default true),
`table_index`, and for scanned pages `ocr` (auto, off), `ocr_dpi`, `ocr_lang`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from data_manager.pipelines.tables.reading import ReadOptions

STRATEGIES = ("lines", "lines_strict", "text", "explicit")
TOLERANCES = (
    "snap_tolerance", "snap_x_tolerance", "snap_y_tolerance", "join_tolerance", "join_x_tolerance",
    "join_y_tolerance", "edge_min_length", "edge_min_length_prefilter", "intersection_tolerance",
    "intersection_x_tolerance", "intersection_y_tolerance", "text_x_tolerance", "text_y_tolerance",
)  # fmt: skip
WORD_COUNTS = ("min_words_vertical", "min_words_horizontal")
PAGE_RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d*)\s*)?$")
MAX_HEADER_ROWS = 3


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def page_ranges(value: Any) -> list[tuple[int, int | None]]:
    """`"1-3,5,8-"`, `[1, "4-6"]` or `7` as (first, last) ranges, last None for "to the end"; ValueError if bad."""
    parts = value if isinstance(value, list) else [value]
    ranges: list[tuple[int, int | None]] = []
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            pieces = [str(part)]
        elif isinstance(part, str) and part.strip():
            pieces = part.split(",")
        else:
            raise ValueError
        for piece in pieces:
            match = PAGE_RANGE.match(piece)
            if not match:
                raise ValueError
            first = int(match.group(1))
            last = None if match.group(2) == "" else int(match.group(2) or first)
            if first < 1 or (last is not None and last < first):
                raise ValueError
            ranges.append((first, last))
    if not ranges:
        raise ValueError
    return ranges


def _pages(value: Any) -> str | None:
    try:
        page_ranges(value)
    except ValueError:
        return f'{value!r} is not a page range such as "1-3,5,8-" (pages count from 1)'
    return None


def _crop(value: Any) -> str | None:
    if not (isinstance(value, list) and len(value) == 4 and all(_is_number(v) and v >= 0 for v in value)):
        return f"{value!r} is not a box [x0, top, x1, bottom] in points (numbers >= 0)"
    if value[0] >= value[2] or value[1] >= value[3]:
        return f"{value!r}: x0 must be less than x1 and top less than bottom"
    return None


def _choice(*allowed: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in allowed else f"{value!r} is not one of {', '.join(allowed)}"

    return check


def _number(value: Any) -> str | None:
    return None if _is_number(value) and value >= 0 else f"{value!r} is not a number >= 0"


def _count(value: Any) -> str | None:
    return None if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else f"{value!r} is not a whole number >= 1"  # fmt: skip


def _lines(value: Any) -> str | None:
    if isinstance(value, list) and all(_is_number(v) and v >= 0 for v in value):
        return None
    return f"{value!r} is not a list of positions in points"


def _header_rows(value: Any) -> str | None:
    if value == "auto" or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_HEADER_ROWS):
        return None
    return f'{value!r} is not a number of header rows from 0 to {MAX_HEADER_ROWS} (or "auto")'


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"{value!r} is not true or false"


def _index(value: Any) -> str | None:
    return None if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else "must be a whole number >= 0"  # fmt: skip


def _dpi(value: Any) -> str | None:
    return None if isinstance(value, int) and 72 <= value <= 600 else f"{value!r} is not a resolution from 72 to 600"


def _lang(value: Any) -> str | None:
    ok = isinstance(value, str) and value.replace("+", "").isalpha()
    return None if ok else f"{value!r} is not a tesseract language such as eng or eng+deu"


OPTIONS: dict[str, Callable[[Any], str | None]] = {
    "pages": _pages,
    "crop": _crop,
    "vertical_strategy": _choice(*STRATEGIES),
    "horizontal_strategy": _choice(*STRATEGIES),
    "explicit_vertical_lines": _lines,
    "explicit_horizontal_lines": _lines,
    **dict.fromkeys(TOLERANCES, _number),
    **dict.fromkeys(WORD_COUNTS, _count),
    "header_rows": _header_rows,
    "stitch": _bool,
    "table_index": _index,
    "ocr": _choice("auto", "off"),
    "ocr_dpi": _dpi,
    "ocr_lang": _lang,
}
PDF_SETTINGS = ("vertical_strategy", "horizontal_strategy", "explicit_vertical_lines", "explicit_horizontal_lines",
                *TOLERANCES, *WORD_COUNTS)  # fmt: skip


def combination_problems(config: dict[str, Any]) -> list[str]:
    """Problems between keys (each key on its own is fine)."""
    problems = []
    for axis in ("vertical", "horizontal"):
        if config.get(f"{axis}_strategy") == "explicit" and not config.get(f"explicit_{axis}_lines"):
            problems.append(f"strategy_config.explicit_{axis}_lines: {axis}_strategy explicit needs these lines")
    return problems


@dataclass(frozen=True)
class TableOptions:
    config: dict[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        value = self.config.get(name)
        return default if value is None else value

    @property
    def crop(self) -> tuple[float, float, float, float] | None:
        crop = self.config.get("crop")
        return tuple(crop) if crop else None  # type: ignore[return-value]

    @property
    def horizontal_strategy(self) -> str:
        return self.get("horizontal_strategy", "lines")

    @property
    def ocr(self) -> str:
        return self.get("ocr", "auto")

    @property
    def ocr_dpi(self) -> int:
        return self.get("ocr_dpi", 300)

    @property
    def ocr_lang(self) -> str:
        return self.get("ocr_lang", "eng")

    def page_numbers(self, total: int) -> list[int]:
        """The pages to read (1-based, in order, each once)."""
        if self.config.get("pages") is None:
            return list(range(1, total + 1))
        chosen: set[int] = set()
        for first, last in page_ranges(self.config["pages"]):
            chosen.update(range(first, min(last or total, total) + 1))
        return sorted(chosen)

    def table_settings(self) -> dict[str, Any]:
        return {k: self.config[k] for k in PDF_SETTINGS if self.config.get(k) is not None}

    def read_options(self) -> ReadOptions:
        header_rows = self.config.get("header_rows")
        return ReadOptions(
            header_rows=None if header_rows in (None, "auto") else header_rows,
            stitch=self.get("stitch", True),
            table_index=self.config.get("table_index"),
        )
