"""Run a template over a pipeline's artifacts: read each, extract raw records, convert every field.

Failure policy: `fail_fast` stops at the first failed artifact or record (`ExtractionFailed`);
`continue` keeps the good records and lists each failure with its artifact and reasons.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from data_manager.errors import UserError
from data_manager.pipelines.documents import Document, fetch_record, read_location
from data_manager.pipelines.fields import convert_record
from data_manager.pipelines.limits import ExtractionError
from data_manager.pipelines.store import PipelineStore
from data_manager.pipelines.strategies import ExtractionSpec, strategy_functions

FETCH_EVENT = "pipeline_artifact_fetched"


class ExtractionFailed(Exception):
    """fail_fast stopped the run; the message names the artifact and the reason."""


@dataclass
class Failure:
    artifact_id: int
    artifact: str
    errors: list[str]
    record: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "artifact_id": self.artifact_id,
            "artifact": self.artifact,
            "record": self.record,
            "errors": self.errors,
        }

    def __str__(self) -> str:
        where = f"artifact {self.artifact_id} ({self.artifact})" + (f" record {self.record}" if self.record else "")
        return f"{where}: {'; '.join(self.errors)}"


@dataclass
class ExtractionResult:
    records: list[dict[str, Any]] = field(default_factory=list)
    record_artifacts: list[int] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    artifacts: int = 0
    fetched: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def failed_artifact_ids(self) -> list[int]:
        return sorted({f.artifact_id for f in self.failures})


def validate_spec(spec: ExtractionSpec) -> list[str]:
    """Every problem of a template's strategy config and fields, as `path: message` lines."""
    try:
        strategy_functions(spec.strategy).prepare(spec)
    except UserError as exc:
        return [str(exc)]
    return []


def document_for(store: PipelineStore, source: dict[str, Any]) -> tuple[Document, str]:
    if source.get("missing"):
        raise ExtractionError(f"artifact {source['id']} does not exist")
    if source["content"] is not None:
        data, origin = bytes(source["content"]), f"artifact:{source['id']}"
    else:
        data, origin = read_location(source["location"], source["name"]), source["location"]
    return Document(source["id"], source["name"], source["media_type"], data), origin


def extract_artifacts(
    store: PipelineStore,
    spec: ExtractionSpec,
    artifact_ids: list[int],
    failure_policy: str = "fail_fast",
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ExtractionResult:
    functions = strategy_functions(spec.strategy)
    functions.prepare(spec)
    result = ExtractionResult()
    started = time.perf_counter()

    def fail(failure: Failure) -> None:
        result.failures.append(failure)
        if failure_policy == "fail_fast":
            raise ExtractionFailed(str(failure))

    for source in store.artifact_sources(artifact_ids):
        result.artifacts += 1
        name = source.get("name") or f"#{source['id']}"
        try:
            document, origin = document_for(store, source)
            result.fetched.append(fetch_record(run_id or "", document.artifact_id, origin, document.data))
            raw_records = functions.extract(document, spec)
        except (ExtractionError, UserError) as exc:
            fail(Failure(source["id"], name, [str(exc)]))
            continue
        if not raw_records:
            fail(Failure(source["id"], name, ["no records found"]))
            continue
        for number, raw in enumerate(raw_records, start=1):
            record, errors = convert_record(spec.fields, raw)
            if errors:
                fail(Failure(source["id"], name, errors, record=number))
                continue
            result.records.append(record)
            result.record_artifacts.append(source["id"])
        if progress and result.artifacts % 100 == 0:
            progress(f"extracted {result.artifacts}/{len(artifact_ids)} artifacts, {len(result.records)} records")
    result.seconds[spec.strategy] = round(time.perf_counter() - started, 3)
    return result
