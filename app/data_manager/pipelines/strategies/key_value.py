"""`key_value`: label/value pairs in text, PDF text and HTML (forms, definition lists, two-cell rows).

A field's selector is a label (`Invoice number` finds `Invoice number: 42`, case ignored) or a
pattern `regex:<pattern>` whose first group (or whole match) is the value. In HTML, form controls are
found by their `name` or their label's text. strategy_config: `separators` (default `:`, `=`, `-`, tab).
"""

from __future__ import annotations

from parsel import Selector

from data_manager.errors import UserError
from data_manager.pipelines.documents import Document
from data_manager.pipelines.findings import Findings
from data_manager.pipelines.limits import ExtractionError, compile_pattern, search
from data_manager.pipelines.strategies import ExtractionSpec, RawRecord
from data_manager.pipelines.strategies.dom_selection import node_text

DEFAULT_SEPARATORS = (":", "=", "\t", " - ")


def _norm(text: str) -> str:
    return " ".join(text.split()).lower().rstrip(":").strip()


def _separators(value: object) -> str | None:
    if isinstance(value, list) and value and all(isinstance(s, str) and s for s in value):
        return None
    return "must be a list of non-empty strings"


OPTIONS = {"separators": _separators}


def check(spec: ExtractionSpec) -> list[str]:
    problems = []
    for field in spec.fields:
        selector = field.selector or field.name
        if selector.startswith("regex:"):
            try:
                compile_pattern(selector[len("regex:") :], f"fields.{field.name}.selector")
            except UserError as exc:
                problems.append(str(exc))
    return problems


def html_pairs(text: str) -> tuple[dict[str, str], str]:
    """Label -> value pairs of an HTML page's forms and two-part structures, plus its visible text."""
    root = Selector(text=text)
    pairs: dict[str, str] = {}
    labels = {label.attrib.get("for"): node_text(label) for label in root.css("label[for]")}
    for control in root.css("input, select, textarea"):
        tag = control.root.tag
        if tag == "select":
            value = control.css("option[selected]::attr(value), option[selected]::text").get() or ""
        elif tag == "textarea":
            value = node_text(control)
        elif control.attrib.get("type") in ("checkbox", "radio"):
            if "checked" not in control.attrib:
                continue
            value = control.attrib.get("value", "on")
        else:
            value = control.attrib.get("value", "")
        for key in (control.attrib.get("name"), labels.get(control.attrib.get("id"))):
            if key:
                pairs.setdefault(_norm(key), value)
    for label in root.css("label"):  # <label>Name <input value=...></label>
        inner = label.css("input::attr(value)").get()
        if inner is not None:
            pairs.setdefault(_norm(" ".join(label.xpath("./text()").getall())), inner)
    for term in root.css("dt"):
        definition = term.xpath("following-sibling::dd[1]")
        if definition:
            pairs.setdefault(_norm(node_text(term)), node_text(definition[0]))
    for row in root.css("tr"):
        cells = row.xpath("./th|./td")
        if len(cells) == 2:
            pairs.setdefault(_norm(node_text(cells[0])), node_text(cells[1]))
    lines = [
        " ".join(t.split())
        for t in root.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    ]
    return pairs, "\n".join(line for line in lines if line)


def document_text(document: Document) -> tuple[dict[str, str], str]:
    if document.kind == "html":
        return html_pairs(document.text)
    if document.kind == "pdf":
        with document.pdf() as pdf:
            return {}, "\n".join(page.extract_text() or "" for page in pdf.pages)
    if document.kind in ("text", "json"):
        return {}, document.text
    raise ExtractionError(f"{document.name}: key_value reads text, HTML or PDF, not {document.kind} (use ocr_text)")


def find_value(text: str, pairs: dict[str, str], field_name: str, selector: str, separators: list[str]) -> str | None:
    if selector.startswith("regex:"):
        pattern = compile_pattern(selector[len("regex:") :], f"fields.{field_name}.selector")
        match = search(pattern, text, f"field {field_name}")
        if match is None:
            return None
        return match.group(1) if match.re.groups else match.group(0)
    label = _norm(selector)
    if label in pairs:
        return pairs[label]
    for line in text.splitlines():
        normalized = " ".join(line.split())
        lowered = normalized.lower()
        if not lowered.startswith(label):
            continue
        rest = normalized[len(label) :]
        for separator in separators:
            if rest.lstrip().startswith(separator.strip() or separator):
                return rest.lstrip()[len(separator.strip() or separator) :].strip()
    return None


def values_from_text(text: str, pairs: dict[str, str], spec: ExtractionSpec) -> RawRecord:
    separators = spec.option("separators", list(DEFAULT_SEPARATORS))
    return {f.name: find_value(text, pairs, f.name, f.selector or f.name, separators) for f in spec.fields}


def extract(document: Document, spec: ExtractionSpec) -> Findings:
    pairs, text = document_text(document)
    return Findings.of_records([values_from_text(text, pairs, spec)])
