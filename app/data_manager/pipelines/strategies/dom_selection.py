"""`dom_selection`: CSS or XPath selectors on HTML (parsel).

strategy_config: `record_selector` (optional; one record per match, field selectors relative to it),
`selector_type` (`css`, default, or `xpath`). A field selector may also start with `xpath:` or `css:`.
A selector that matches an element yields its text; `::text` and `::attr(x)` work as in parsel.
"""

from __future__ import annotations

from parsel import Selector, SelectorList

from data_manager.pipelines.documents import Document
from data_manager.pipelines.findings import Findings
from data_manager.pipelines.limits import ExtractionError
from data_manager.pipelines.strategies import ExtractionSpec, RawRecord, text_option

_EMPTY = Selector(text="<html></html>")


def _split(selector: str, default: str) -> tuple[str, str]:
    for kind in ("xpath", "css"):
        if selector.startswith(f"{kind}:"):
            return kind, selector[len(kind) + 1 :].strip()
    return default, selector


def select(node: Selector, selector: str, default: str) -> SelectorList:
    kind, expression = _split(selector, default)
    return node.xpath(expression) if kind == "xpath" else node.css(expression)


def _selector_type(value: object) -> str | None:
    return None if value in ("css", "xpath") else f"{value!r} is not css or xpath"


OPTIONS = {"record_selector": text_option, "selector_type": _selector_type}


def check(spec: ExtractionSpec) -> list[str]:
    default = spec.option("selector_type", "css")
    if default not in ("css", "xpath"):
        default = "css"  # reported by its option check
    checks = [("strategy_config.record_selector", spec.option("record_selector"))]
    checks += [(f"fields.{f.name}.selector", f.selector) for f in spec.fields]
    problems = []
    for what, selector in checks:
        if what.startswith("fields.") and not (selector or "").strip():
            problems.append(f"{what}: a CSS or XPath selector is required")
        elif isinstance(selector, str) and selector:
            try:
                select(_EMPTY, selector, default)
            except Exception as exc:
                problems.append(f"{what}: invalid selector {selector!r}: {exc}")
    return problems


def node_text(match: Selector) -> str:
    if isinstance(match.root, str):
        return match.root
    return " ".join(" ".join(match.xpath(".//text()").getall()).split())


def extract(document: Document, spec: ExtractionSpec) -> Findings:
    if document.kind not in ("html", "text"):
        raise ExtractionError(f"{document.name}: dom_selection reads HTML, not {document.kind}")
    root = Selector(text=document.text)
    default = spec.option("selector_type", "css")
    record_selector = spec.option("record_selector")
    nodes = list(select(root, record_selector, default)) if record_selector else [root]
    records = []
    for node in nodes:
        record: RawRecord = {}
        for field in spec.fields:
            matches = select(node, field.selector or "", default)
            record[field.name] = node_text(matches[0]) if matches else None
        records.append(record)
    return Findings.of_records(records)
