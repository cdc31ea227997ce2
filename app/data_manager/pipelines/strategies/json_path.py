"""`json_path`: JSONPath expressions on JSON documents (jsonpath-ng, extended syntax with filters).

strategy_config: `records_path` (optional; one record per match, field paths relative to it).
"""

from __future__ import annotations

import functools
import json

from jsonpath_ng.ext import parse

from data_manager.errors import UserError
from data_manager.pipelines.documents import Document
from data_manager.pipelines.findings import Findings
from data_manager.pipelines.limits import ExtractionError
from data_manager.pipelines.strategies import ExtractionSpec, RawRecord, text_option

OPTIONS = {"records_path": text_option}


@functools.lru_cache(maxsize=512)
def compiled(path: str, what: str):
    try:
        return parse(path)
    except Exception as exc:
        raise UserError(f"{what}: invalid JSONPath {path!r}: {exc}") from None


def check(spec: ExtractionSpec) -> list[str]:
    paths = [("strategy_config.records_path", spec.option("records_path"))]
    paths += [(f"fields.{f.name}.selector", f.selector) for f in spec.fields]
    problems = []
    for what, path in paths:
        if what.startswith("fields.") and not (path or "").strip():
            problems.append(f"{what}: a JSONPath is required")
            continue
        if not isinstance(path, str) or not path:
            continue
        try:
            compiled(path, what)
        except UserError as exc:
            problems.append(str(exc))
    return problems


def extract(document: Document, spec: ExtractionSpec) -> Findings:
    try:
        data = json.loads(document.data)
    except ValueError as exc:
        raise ExtractionError(f"{document.name}: not valid JSON ({exc})") from None
    records_path = spec.option("records_path")
    items = (
        [m.value for m in compiled(records_path, "strategy_config.records_path").find(data)] if records_path else [data]
    )
    records = []
    for item in items:
        record: RawRecord = {}
        for field in spec.fields:
            found = compiled(field.selector or "", f"fields.{field.name}.selector").find(item)
            record[field.name] = found[0].value if found else None
        records.append(record)
    return Findings.of_records(records)
