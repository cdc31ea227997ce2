"""Tables on stdout that stay whole when piped: rich on a terminal, plain aligned text otherwise.

Rich cuts cells to fit 80 columns when stdout is not a terminal (CI logs, `docker compose exec -T`,
pipes); plain text never cuts a name or a status, and scripts can split it on whitespace runs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO


def plain_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, separated by two spaces; nothing is ever cut."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in [list(headers), *rows]]  # fmt: skip
    return "\n".join(lines) + "\n"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], stream: IO[str] | None = None) -> None:
    stream = stream or sys.stdout
    if not stream.isatty():
        stream.write(plain_table(headers, rows))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(*headers)
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    Console(file=stream).print(table)


def progress_console():
    """Rich console on stderr for progress and summary lines: soft-wrapped, so a piped line is never broken
    at 80 columns (spinners still show on a terminal)."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=True, highlight=False)
