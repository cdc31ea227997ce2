"""Preview: a template (saved or not) on one artifact, showing its work before any pipeline runs.

The whole document is read as a run reads it (so `record_count` and the counts are the run's), and
the first `limit` records come back with each field's value or error, where each was read (page,
table, row; for PDF tables also the box of the rows it was read from), every table found (page, box,
header, rows, used or why not), the pages' sizes and every skip. Values are JSON: decimals as text
(no float rounding), dates as ISO text.
"""

from __future__ import annotations

import time
from typing import Any

from data_manager.pipelines.extraction import document_for, read_document
from data_manager.pipelines.fields import json_value
from data_manager.pipelines.models import TemplateIn
from data_manager.pipelines.store import NotFound, PipelineStore
from data_manager.pipelines.template_checks import InvalidTemplate, runnable_problems, spec_of

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000


def preview(store: PipelineStore, template: TemplateIn, artifact_id: int, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The preview response; InvalidTemplate (every problem), NotFound, or ExtractionError for the document."""
    spec = spec_of(template)
    problems = runnable_problems(spec)
    if problems:
        raise InvalidTemplate(problems)
    started = time.perf_counter()
    [source] = list(store.artifact_sources([artifact_id]))
    if source.get("missing"):
        raise NotFound(f"no artifact with id {artifact_id}")
    document, _ = document_for(store, source)
    read = read_document(document, spec)
    findings = read.findings
    failed = sum(1 for r in read.records if r.errors)
    return {
        "records": [
            {
                "values": {k: json_value(v) for k, v in r.values.items()},
                "errors": r.errors,
                "raw": r.candidate.values,
                "page": r.candidate.page,
                "table_index": r.candidate.table_index,
                "row_index": r.candidate.row_index,
                "box": [round(v, 2) for v in r.candidate.box] if r.candidate.box else None,
            }
            for r in read.records[:limit]
        ],
        "record_count": len(read.records),
        "tables": [t.as_dict() for t in findings.tables],
        "pages": [p.as_dict() for p in findings.pages],
        "counts": {
            **findings.counts(),
            "records": len(read.records),
            "records_failed": failed,
            "skipped_by_kind": findings.skipped_by_kind(),
        },
        "skipped": [s.as_dict() for s in findings.skipped],
        "problems": read.problems,
        "elapsed_ms": round((time.perf_counter() - started) * 1000),
    }
