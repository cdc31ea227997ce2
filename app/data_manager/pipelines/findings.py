"""What a strategy found in one document: record candidates, the tables and pages it read, what it skipped.

Nothing is dropped in silence: every table a strategy finds is used or has a `reason`; every row of a
table (rows with any text: blank rows hold nothing) is a header, part of a candidate, or a `Skip` with
its reason; `Findings.unaccounted_rows()` is 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points (pdfplumber's orientation)


@dataclass
class Candidate:
    """One record as read (raw values), and where it was read."""

    values: dict[str, Any]
    page: int | None = None
    table_index: int | None = None
    row_index: int | None = None
    box: Box | None = None  # on its page, the rows it was read from (PDF tables; None where unknown)


@dataclass
class TableReport:
    page: int | None
    index: int
    bbox: Box | None
    header: list[str]
    row_count: int
    used: bool = False
    reason: str | None = None
    stitched_to: int | None = None  # index of the table this one continues

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["bbox"] = [round(v, 2) for v in self.bbox] if self.bbox else None
        return data


# Kinds of skip, for counts by kind (`reason` says the particulars).
ABOVE_HEADER = "above the header"
HEADER_REPEATED = "header repeated"
PAGE_FURNITURE = "page number or running head/footer"
TABLE_NOT_MATCHED = "table without the fields' columns"
TABLE_NOT_SELECTED = "table not selected (table_index)"
PAGE_NOT_READ = "page not read"
ARTIFACT_DISABLED = "artifact disabled"  # a whole document not read (0 rows: counted in artifacts_skipped)


@dataclass
class Skip:
    """Rows (or a whole table, or a page) not read as records, and why."""

    page: int | None
    table_index: int | None
    kind: str
    reason: str
    row_index: int | None = None
    rows: int = 1

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PageInfo:
    number: int
    width: float
    height: float
    read: bool = True  # False: outside strategy_config.pages
    scanned: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "width": round(self.width, 2), "height": round(self.height, 2),
                "read": self.read, "scanned": self.scanned}  # fmt: skip


@dataclass
class Findings:
    candidates: list[Candidate] = field(default_factory=list)
    tables: list[TableReport] = field(default_factory=list)
    pages: list[PageInfo] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    rows_found: int = 0
    header_rows: int = 0
    rows_used: int = 0

    @classmethod
    def of_records(cls, records: list[dict[str, Any]]) -> Findings:
        """Findings of a strategy without tables: each record is one candidate and one row."""
        return cls(candidates=[Candidate(r) for r in records], rows_found=len(records), rows_used=len(records))

    @property
    def rows_skipped(self) -> int:
        return sum(s.rows for s in self.skipped)

    def counts(self) -> dict[str, int]:
        used = sum(1 for t in self.tables if t.used)
        return {
            "tables_found": len(self.tables),
            "tables_used": used,
            "tables_skipped": len(self.tables) - used,
            "rows_found": self.rows_found,
            "header_rows": self.header_rows,
            "rows_used": self.rows_used,
            "rows_skipped": self.rows_skipped,
        }

    def skipped_by_kind(self) -> dict[str, int]:
        """Rows skipped per kind (a page skipped whole counts under its kind with its rows, maybe 0)."""
        kinds: dict[str, int] = {}
        for skip in self.skipped:
            kinds[skip.kind] = kinds.get(skip.kind, 0) + skip.rows
        return kinds

    def unaccounted_rows(self) -> int:
        """Rows neither header, used nor skipped (0 unless a strategy has a bug: a silent drop)."""
        return self.rows_found - self.header_rows - self.rows_used - self.rows_skipped


COUNT_KEYS = (
    "tables_found",
    "tables_used",
    "tables_skipped",
    "rows_found",
    "header_rows",
    "rows_used",
    "rows_skipped",
)


def add_counts(total: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    for key, value in more.items():
        total[key] = total.get(key, 0) + value
    return total
