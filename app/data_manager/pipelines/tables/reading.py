"""A template's fields applied to the tables of one document: which tables hold records, and every row's fate.

A table whose first rows (one to three, joined column by column; up to MAX_HEADER_START rows of a
caption or title may come first) name every field's column starts a group. A table that continues the group's last table on the next page (first on its page, nothing
but page furniture above it, same columns at the same places, no header of its own) is stitched to
it; a header repeated on top of it is skipped. Any other table is skipped with the reason, including
why it is not a continuation. In tables without rules between rows, a row with nothing in the
columns that identify a record (the required fields, else the first field's column) is the wrapped
rest of the row above, across a page break too. Nothing is dropped without a `Skip`.
"""

from __future__ import annotations

from dataclasses import dataclass

from data_manager.pipelines.findings import (
    ABOVE_HEADER,
    HEADER_REPEATED,
    PAGE_FURNITURE,
    TABLE_NOT_MATCHED,
    TABLE_NOT_SELECTED,
    Box,
    Candidate,
    Findings,
    Skip,
    TableReport,
)
from data_manager.pipelines.models import TemplateField
from data_manager.pipelines.tables.model import RawTable, cell_text, is_page_furniture

AUTO_HEADER_ROWS = (1, 2, 3)
MAX_HEADER_START = 3
TYPED_FIELDS = ("integer", "decimal", "date")


@dataclass(frozen=True)
class ReadOptions:
    header_rows: int | None = None  # None: the fewest rows (1 to 3) that name every field
    stitch: bool = True
    table_index: int | None = None


@dataclass
class HeaderMatch:
    rows: int
    positions: dict[str, int]
    labels: list[str]
    header_rows: list[list[str]]  # normalised, to recognise the header repeated further down
    start: int = 0  # rows above the header (a caption)


@dataclass
class _Group:
    first: RawTable
    tail: RawTable
    match: HeaderMatch | None
    last: Candidate | None = None


def norm(text: str | None) -> str:
    return " ".join((text or "").split()).lower()


def position_of(field: TemplateField) -> int | None:
    """The 0-based column of a positional selector (`#3`), None for a header name."""
    selector = field.selector or field.name
    if selector.startswith("#") and selector[1:].isdigit() and int(selector[1:]) >= 1:
        return int(selector[1:]) - 1
    return None


def joined_header(rows: list[list[str]], count: int) -> list[str]:
    """The labels of a header `count` rows high: each column's parts joined (a spanned part once)."""
    width = max((len(row) for row in rows[:count]), default=0)
    labels = []
    for column in range(width):
        parts: list[str] = []
        for row in rows[:count]:
            part = norm(row[column]) if column < len(row) else ""
            if part and (not parts or parts[-1] != part):
                parts.append(part)
        labels.append(" ".join(parts))
    return labels


def match_header(rows: list[list[str]], fields: list[TemplateField], header_rows: int | None) -> HeaderMatch | None:
    """The header near the top of `rows` (below at most MAX_HEADER_START rows) naming every field's column."""
    named = any(position_of(f) is None for f in fields)
    counts = (header_rows,) if header_rows is not None else (AUTO_HEADER_ROWS if named else (1,))
    for start in range(min(MAX_HEADER_START, len(rows)) + 1 if named else 1):
        for count in counts:
            if start + count > len(rows):
                break
            labels = joined_header(rows[start:], count)
            positions: dict[str, int] = {}
            for field in fields:
                position = position_of(field)
                if position is None and norm(field.selector or field.name) in labels:
                    position = labels.index(norm(field.selector or field.name))
                if position is not None:
                    positions[field.name] = position
            if len(positions) == len(fields):
                header = [[norm(c) for c in row] for row in rows[start : start + count]]
                return HeaderMatch(count, positions, labels, header, start)
    return None


def columns_align(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> bool:
    """Each column of `b` overlaps its counterpart in `a` by at least half the wider one."""
    for (a0, a1), (b0, b1) in zip(a, b, strict=True):
        overlap = min(a1, b1) - max(a0, b0)
        if overlap < 0.5 * max(a1 - a0, b1 - b0):
            return False
    return True


def width(table: RawTable) -> int:
    return max((len(row) for row in table.rows), default=0)


def looks_like_header(row: list[str], match: HeaderMatch, fields: list[TemplateField]) -> bool:
    """Text without a digit where the group's dates and numbers are: another table's header, not data."""
    typed = [match.positions[f.name] for f in fields if f.field_type in TYPED_FIELDS]
    cells = [cell_text(row[p]) if p < len(row) else "" for p in typed]
    return bool(typed) and all(c and not any(ch.isdigit() for ch in c) for c in cells)


def continuation_problem(
    tail: RawTable, table: RawTable, furniture: frozenset[str], match: HeaderMatch | None, fields: list[TemplateField]
) -> str | None:
    """Why `table` does not continue `tail` on the next page, or None when it does."""
    if tail.page is None or table.page is None:
        return "tables without pages are not stitched"
    if table.page == tail.page:
        return f"it is below table {tail.index} on the same page"
    if table.page != tail.page + 1:
        return f"it is on page {table.page}, not on the page after table {tail.index} (page {tail.page})"
    if not tail.last_on_page:
        return f"table {tail.index} is not the last table on page {tail.page}"
    if not table.first_on_page:
        return f"it is not the first table on page {table.page}"
    text = [line for line in table.lines_above if not is_page_furniture(line, furniture)]
    if text:
        return f"text above it: {text[0][:60]!r}"
    if width(table) != width(tail):
        return f"it has {width(table)} columns, table {tail.index} has {width(tail)}"
    if table.columns and tail.columns and not columns_align(tail.columns, table.columns):
        return f"its columns are not where table {tail.index}'s are"
    first = [norm(c) for c in table.rows[0]] if table.rows else []
    if match and first not in match.header_rows and looks_like_header(table.rows[0], match, fields):
        return f"its first row looks like a header: {' | '.join(cell_text(c) for c in table.rows[0])[:80]!r}"
    return None


def read_tables(
    tables: list[RawTable], fields: list[TemplateField], options: ReadOptions, furniture: frozenset[str] = frozenset()
) -> Findings:
    """Record candidates of every table that has the fields' columns (or continues one); the rest reported."""
    findings = Findings()
    selected = _selected(tables, options, furniture, fields)
    group: _Group | None = None
    wanted = ", ".join(f.selector or f.name for f in fields)
    for table in tables:
        findings.rows_found += len(table.rows)
        report = TableReport(table.page, table.index, table.bbox, [], len(table.rows))
        findings.tables.append(report)
        if table.index not in selected:
            report.reason = f"strategy_config.table_index is {options.table_index}"
            _skip_table(findings, table, TABLE_NOT_SELECTED, report.reason)
            continue
        match = match_header(table.rows, fields, _header_rows(table, options))
        problem = None
        if group is None:
            problem = "no table before it"
        elif not options.stitch:
            problem = "stitching is off (strategy_config.stitch)"
        else:
            problem = continuation_problem(group.tail, table, furniture, group.match, fields)
        if match and group and group.match and problem is None and match.labels == group.match.labels:
            report.used, report.stitched_to, report.header = True, group.tail.index, match.labels
            group.tail = table
            _read_rows(findings, table, 0, group, fields, furniture)
        elif match:
            group = _Group(table, table, match)
            report.used, report.header = True, match.labels
            findings.header_rows += match.rows
            for number in range(match.start):
                text = " ".join(cell_text(c) for c in table.rows[number] if cell_text(c))
                kind = PAGE_FURNITURE if is_page_furniture(text, furniture) else ABOVE_HEADER
                findings.skipped.append(Skip(table.page, table.index, kind, f"{kind}: {text[:60]!r}", row_index=number))
            _read_rows(findings, table, match.start + match.rows, group, fields, furniture)
        elif group is not None and problem is None:
            report.stitched_to = group.tail.index
            group.tail = table
            if group.match:
                report.used, report.header = True, group.match.labels
                _read_rows(findings, table, 0, group, fields, furniture)
            else:
                report.reason = f"continues table {group.first.index}, which has no header with the columns {wanted}"
                _skip_table(findings, table, TABLE_NOT_MATCHED, report.reason)
        else:
            group = _Group(table, table, None)
            first = " | ".join(cell_text(c) for c in table.rows[0])[:80] if table.rows else ""
            report.header = [norm(c) for c in table.rows[0]] if table.rows else []
            report.reason = f"no header with the columns {wanted} (first row: {first!r})"
            if problem and problem != "no table before it":
                report.reason += f"; not a continuation: {problem}"
            _skip_table(findings, table, TABLE_NOT_MATCHED, report.reason)
    return findings


def _header_rows(table: RawTable, options: ReadOptions) -> int | None:
    if options.header_rows is not None:
        return options.header_rows
    if table.header_rows is not None and table.header_rows <= 3:
        return table.header_rows
    return None


def _selected(
    tables: list[RawTable], options: ReadOptions, furniture: frozenset[str], fields: list[TemplateField]
) -> set[int]:
    """Indexes to read: all, or `table_index` and the tables that continue it."""
    if options.table_index is None:
        return {t.index for t in tables}
    chosen = [t for t in tables if t.index == options.table_index]
    if not chosen:
        return set()
    picked = {chosen[0].index}
    tail = chosen[0]
    match = match_header(tail.rows, fields, _header_rows(tail, options))
    for table in tables[tables.index(tail) + 1 :]:
        if not options.stitch or continuation_problem(tail, table, furniture, match, fields) is not None:
            break
        picked.add(table.index)
        tail = table
    return picked


def _skip_table(findings: Findings, table: RawTable, kind: str, reason: str) -> None:
    if table.rows:
        findings.skipped.append(Skip(table.page, table.index, kind, reason, rows=len(table.rows)))


def _identifying(fields: list[TemplateField], match: HeaderMatch) -> list[int]:
    required = [match.positions[f.name] for f in fields if f.required]
    return required or [min(match.positions.values())]


def _read_rows(
    findings: Findings, table: RawTable, start: int, group: _Group, fields: list[TemplateField],
    furniture: frozenset[str],
) -> None:  # fmt: skip
    match = group.match
    assert match is not None
    identifying = _identifying(fields, match)
    for number in range(start, len(table.rows)):
        cells = [cell_text(c) for c in table.rows[number]]

        def skip(kind: str, reason: str, number: int = number) -> None:
            findings.skipped.append(Skip(table.page, table.index, kind, reason, row_index=number))

        filled = [c for c in cells if c]
        if not filled:
            continue  # sources drop blank rows; a blank one here holds nothing
        if [c.lower() for c in cells] in match.header_rows:
            skip(HEADER_REPEATED, "the header, repeated")
            continue
        if is_page_furniture(" ".join(filled), furniture):
            skip(PAGE_FURNITURE, f"page number or running head/footer: {' '.join(filled)[:60]!r}")
            continue
        findings.rows_used += 1
        if not table.ruled and group.last is not None and not any(_at(cells, p) for p in identifying):
            _join(group.last, cells, match)  # the wrapped rest of the row above
            group.last.box = _joined_box(group.last, table, number)
            continue
        values = {name: _at(cells, position) or None for name, position in match.positions.items()}
        group.last = Candidate(values, table.page, table.index, number, table.row_box(number))
        findings.candidates.append(group.last)


def _at(cells: list[str], position: int) -> str:
    return cells[position] if position < len(cells) else ""


def _joined_box(candidate: Candidate, table: RawTable, number: int) -> Box | None:
    """The candidate's box taking in a wrapped row below it on the same table (a box does not span pages)."""
    below = table.row_box(number)
    if candidate.box is None or below is None or candidate.table_index != table.index:
        return candidate.box
    x0, top, x1, bottom = candidate.box
    return (min(x0, below[0]), min(top, below[1]), max(x1, below[2]), max(bottom, below[3]))


def _join(candidate: Candidate, cells: list[str], match: HeaderMatch) -> None:
    for name, position in match.positions.items():
        more = _at(cells, position)
        if more:
            before = candidate.values.get(name)
            candidate.values[name] = f"{before} {more}" if before else more
