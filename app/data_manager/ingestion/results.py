"""What every sync returns (SQL table syncs and Airbyte connectors alike): enough for a CLI summary,
Dagster metadata and a log line. `--json` prints `model_dump(mode="json")`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from data_manager.errors import EXIT_FAILURE, EXIT_USAGE, UserError
from data_manager.ingestion.sql.options import MODES as SQL_MODES
from data_manager.ingestion.sql.options import Mode as SqlMode

Mode = Literal["full"] | SqlMode  # Airbyte: full or incremental; SQL table syncs: their Sling-named modes


class TableSyncResult(BaseModel):
    source_table: str  # SQL: the source table (schema.table); Airbyte: the stream
    target_table: str  # schema.table in Postgres
    mode: Mode = "full"
    reader: str  # what read the rows: connectorx, pymysql, pyodbc or pyairbyte
    rows: int  # rows read from the source and staged in this run (incremental: from the watermark less the lag)
    total_rows: int | None = None  # rows in the target table after the sync, where known
    duration_s: float = 0.0
    watermark: str | None = None
    deleted: int | None = None  # SQL incremental with deletes soft/hard: rows gone from the source, removed or marked
    # SQL merges into an existing table (incremental, backfill): rows inserted or updated; the other rows read
    # were unchanged, or (incremental without a cursor column) had a key already there and were kept as they were
    merged: int | None = None


class SyncResult(BaseModel):
    status: Literal["success", "failed"]
    source: str  # where we read from, password masked (Airbyte: the connector)
    target_schema: str
    mode: Mode = "full"
    tables: list[TableSyncResult] = Field(default_factory=list)
    duration_s: float = 0.0
    error: str | None = None
    error_kind: Literal["bad_input", "sync_failed"] | None = None
    stage: str | None = None  # Airbyte: install, check, cache, read or done
    cache: str | None = None  # Airbyte: the named cache written to

    @classmethod
    def bad_input(cls, source: str, target_schema: str | None, mode: str, error: str) -> SyncResult:
        """The result of a sync refused before reading anything (bad URL, driver missing)."""
        return cls(
            status="failed",
            source=source,
            target_schema=target_schema or "",
            mode=mode if mode in SQL_MODES else "full",  # type: ignore[arg-type]
            error=error,
            error_kind="bad_input",
        )

    @property
    def ok(self) -> bool:
        return self.status == "success"

    @property
    def rows_per_table(self) -> dict[str, int]:
        return {table.target_table: table.rows for table in self.tables}

    @property
    def total_rows(self) -> int:
        return sum(table.rows for table in self.tables)

    def summary(self) -> dict:
        """The JSON the CLIs print: the result plus its total."""
        return {**self.model_dump(mode="json"), "rows_per_table": self.rows_per_table, "total_rows": self.total_rows}

    def raise_for_status(self) -> SyncResult:
        """Raise the error as a UserError: exit code 2 for bad input, 1 when the sync itself failed."""
        if self.status == "failed":
            code = EXIT_USAGE if self.error_kind == "bad_input" else EXIT_FAILURE
            raise UserError(self.error or "sync failed", exit_code=code)
        return self
