"""Run a template over artifacts: read each, find record candidates, convert every field, check `expect`.

`read_document` is one document through a template (what preview shows); `extract_artifacts` runs it
over many artifacts with a failure policy: `fail_fast` stops at the first failed artifact or record
(`ExtractionFailed`); `continue` keeps the good records and lists each failure with its artifact, page,
table and row. Either way the counts say how many tables and rows were found, used and skipped. A disabled
artifact is not read: it is counted in `artifacts_skipped` and listed as a skip of kind "artifact disabled".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from data_manager.errors import UserError
from data_manager.pipelines.artifact_access import fetch_location
from data_manager.pipelines.documents import Document, fetch_record
from data_manager.pipelines.fields import convert_values
from data_manager.pipelines.findings import ARTIFACT_DISABLED, Candidate, Findings, Skip, add_counts
from data_manager.pipelines.limits import ExtractionError
from data_manager.pipelines.models import Expect
from data_manager.pipelines.store import PipelineStore
from data_manager.pipelines.strategies import ExtractionSpec, strategy
from data_manager.pipelines.template_checks import runnable_problems

FETCH_EVENT = "pipeline_artifact_fetched"
MAX_LISTED = 500  # failures and skips listed per run (all are counted; the list says how many it leaves out)
PROGRESS_EVERY_S = 2.0


class ExtractionFailed(Exception):
    """fail_fast stopped the run; the message names the artifact and the reason, `result` holds what was read."""

    def __init__(self, message: str, result: ExtractionResult | None = None) -> None:
        super().__init__(message)
        self.result = result


@dataclass
class Failure:
    artifact_id: int
    artifact: str
    errors: list[str]
    record: int | None = None
    page: int | None = None
    table_index: int | None = None
    row_index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "artifact_id": self.artifact_id,
            "artifact": self.artifact,
            "record": self.record,
            "page": self.page,
            "table_index": self.table_index,
            "row_index": self.row_index,
            "errors": self.errors,
        }

    def __str__(self) -> str:
        where = f"artifact {self.artifact_id} ({self.artifact})"
        if self.record:
            where += f" record {self.record}"
        if self.page is not None:
            where += f" (page {self.page}, table {self.table_index}, row {self.row_index})"
        return f"{where}: {'; '.join(self.errors)}"


@dataclass
class RecordRead:
    values: dict[str, Any]
    errors: dict[str, str]
    candidate: Candidate


@dataclass
class DocumentRead:
    """One document through a template: the findings, each candidate converted, the expectations missed."""

    findings: Findings
    records: list[RecordRead]
    problems: list[str]

    @property
    def good(self) -> list[RecordRead]:
        return [r for r in self.records if not r.errors]


def read_document(document: Document, spec: ExtractionSpec) -> DocumentRead:
    findings = strategy(spec.strategy).extract(document, spec)
    records = []
    for candidate in findings.candidates:
        values, errors = convert_values(spec.fields, candidate.values)
        records.append(RecordRead(values, errors, candidate))
    read = DocumentRead(findings, records, [])
    read.problems = expectation_problems(document.name, read, spec.expect)
    return read


def expectation_problems(name: str, read: DocumentRead, expect: Expect | None) -> list[str]:
    """What the document should have yielded and did not: no record at all, or less than `expect`."""
    good = read.good
    if not read.records:
        used = [t for t in read.findings.tables if t.used]
        if read.findings.tables and not used:
            reason = read.findings.tables[0].reason
            return [f"{name}: no records: {len(read.findings.tables)} table(s) found, none used ({reason})"]
        return [f"{name}: no records found"]
    problems = []
    if expect and expect.min_records and len(good) < expect.min_records:
        problems.append(f"{name}: {len(good)} record(s), the template expects at least {expect.min_records}")
    if expect and expect.every_page and read.findings.pages:
        pages = {r.candidate.page for r in good}
        missing = [p.number for p in read.findings.pages if p.read and p.number not in pages]
        if missing:
            listed = ", ".join(map(str, missing[:20])) + (" ..." if len(missing) > 20 else "")
            problems.append(f"{name}: no records from page(s) {listed} (the template expects every page)")
    return problems


@dataclass
class ExtractionResult:
    records: list[dict[str, Any]] = field(default_factory=list)
    record_artifacts: list[int] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    failure_count: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    skipped_by_kind: dict[str, int] = field(default_factory=dict)
    artifacts: int = 0
    artifacts_skipped: int = 0
    fetched: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failed_artifact_ids(self) -> list[int]:
        return sorted({f.artifact_id for f in self.failures})

    def all_counts(self) -> dict[str, Any]:
        """Every count of the run so far, as pipeline_runs.counts and the run metadata hold them."""
        return {
            **self.counts,
            "records_extracted": len(self.records),
            "records_failed": self.failure_count,
            "artifacts": self.artifacts,
            "artifacts_skipped": self.artifacts_skipped,
            "skipped_by_kind": self.skipped_by_kind,
        }


def document_for(store: PipelineStore, source: dict[str, Any]) -> tuple[Document, str]:
    if source.get("missing"):
        raise ExtractionError(f"artifact {source['id']} does not exist")
    if source["location"] is None:
        inline = source.get("content")
        data = bytes(inline) if inline is not None else store.artifact_content(source["id"])
        origin = f"artifact:{source['id']}"
    else:
        data, origin = fetch_location(source["location"], source["name"]), source["location"]
    return Document(source["id"], source["name"], source["media_type"], data or b""), origin


def extract_artifacts(
    store: PipelineStore,
    spec: ExtractionSpec,
    artifact_ids: list[int],
    failure_policy: str = "fail_fast",
    run_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExtractionResult:
    """Every artifact through the template; `progress(artifacts_done, records_so_far)` every few seconds."""
    problems = runnable_problems(spec)
    if problems:
        raise UserError("; ".join(problems))
    result = ExtractionResult()
    started = last_report = time.perf_counter()

    def fail(failure: Failure) -> None:
        result.failure_count += 1
        if len(result.failures) < MAX_LISTED:
            result.failures.append(failure)
        if failure_policy == "fail_fast":
            raise ExtractionFailed(str(failure), result)

    def skip(source: dict[str, Any], kind: str) -> None:
        result.artifacts_skipped += 1
        add_counts(result.skipped_by_kind, {kind: 0})
        if len(result.skipped) < MAX_LISTED:
            result.skipped.append({"artifact_id": source["id"], **Skip(None, None, kind, kind, rows=0).as_dict()})

    for source in store.artifact_sources(artifact_ids):
        result.artifacts += 1
        if source.get("enabled") is False:
            skip(source, ARTIFACT_DISABLED)
            continue
        name = source.get("name") or f"#{source['id']}"
        try:
            document, origin = document_for(store, source)
            result.fetched.append(fetch_record(run_id or "", document.artifact_id, origin, document.data))
            read = read_document(document, spec)
        except (ExtractionError, UserError) as exc:
            fail(Failure(source["id"], name, [str(exc)]))
            continue
        add_counts(result.counts, read.findings.counts())
        add_counts(result.skipped_by_kind, read.findings.skipped_by_kind())
        for skip in read.findings.skipped[: max(0, MAX_LISTED - len(result.skipped))]:
            result.skipped.append({"artifact_id": source["id"], **skip.as_dict()})
        for number, record in enumerate(read.records, start=1):
            if record.errors:
                where = record.candidate
                fail(Failure(source["id"], name, list(record.errors.values()), number, where.page,
                             where.table_index, where.row_index))  # fmt: skip
                continue
            result.records.append(record.values)
            result.record_artifacts.append(source["id"])
        for problem in read.problems:
            fail(Failure(source["id"], name, [problem]))
        if progress and time.perf_counter() - last_report >= PROGRESS_EVERY_S:
            last_report = time.perf_counter()
            progress(result.artifacts, len(result.records))
    result.seconds[spec.strategy] = round(time.perf_counter() - started, 3)
    return result
