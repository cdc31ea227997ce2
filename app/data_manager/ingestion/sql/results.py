"""What a table sync returns: enough for a CLI summary, Dagster metadata and a log line."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from data_manager.errors import EXIT_FAILURE, EXIT_USAGE, UserError


class TableSyncResult(BaseModel):
    source_table: str
    target_table: str  # schema.table in Postgres
    mode: Literal["full", "incremental"]
    reader: str  # what streamed the rows: connectorx, pymysql or pyodbc
    rows: int  # rows read from the source in this run (incremental: new or changed rows)
    total_rows: int  # rows in the target table after the sync
    duration_s: float
    watermark: str | None = None


class SyncResult(BaseModel):
    status: Literal["success", "failed"]
    source: str  # where we read from, password masked
    target_schema: str
    mode: Literal["full", "incremental"]
    tables_synced: list[str] = Field(default_factory=list)
    rows_per_table: dict[str, int] = Field(default_factory=dict)
    tables: list[TableSyncResult] = Field(default_factory=list)
    duration_s: float = 0.0
    error: str | None = None
    error_kind: Literal["bad_input", "sync_failed"] | None = None

    @classmethod
    def bad_input(cls, source: str, target_schema: str | None, mode: str, error: str) -> SyncResult:
        """The result of a sync refused before reading anything (bad URL, driver missing)."""
        return cls(
            status="failed",
            source=source,
            target_schema=target_schema or "",
            mode="incremental" if mode == "incremental" else "full",
            error=error,
            error_kind="bad_input",
        )

    @property
    def total_rows(self) -> int:
        return sum(self.rows_per_table.values())

    def raise_for_status(self) -> SyncResult:
        """Raise the error as a UserError: exit code 2 for bad input, 1 when the sync itself failed."""
        if self.status == "failed":
            code = EXIT_USAGE if self.error_kind == "bad_input" else EXIT_FAILURE
            raise UserError(self.error or "sync failed", exit_code=code)
        return self
