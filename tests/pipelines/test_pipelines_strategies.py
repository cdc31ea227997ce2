"""Each extraction strategy on documents the tests make (HTML, JSON, PDF via reportlab, PNG via Pillow)."""

from __future__ import annotations

import json
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from data_manager.pipelines.documents import Document
from data_manager.pipelines.fields import convert_record
from data_manager.pipelines.limits import ExtractionError
from data_manager.pipelines.models import TemplateField
from data_manager.pipelines.strategies import ExtractionSpec, ai_extraction, strategy
from data_manager.pipelines.template_checks import template_problems
from pipelines.sample_documents import PRODUCTS, catalogue_html, invoice_pdf, product_page, products_json, scanned_png


def run(name: str, config: dict, fields: list[dict], document: Document) -> list[dict]:
    spec = ExtractionSpec(name, config, [TemplateField(**f) for f in fields])
    assert template_problems(spec) == []
    records = []
    findings = strategy(name).extract(document, spec)
    assert findings.unaccounted_rows() == 0
    for candidate in findings.candidates:
        record, errors = convert_record(spec.fields, candidate.values)
        assert errors == []
        records.append(record)
    return records


def doc(data: bytes, media_type: str, name: str = "doc") -> Document:
    return Document(1, name, media_type, data)


def test_dom_selection_css_xpath_attributes_and_transforms() -> None:
    fields = [
        {"name": "sku", "selector": "span.sku::attr(data-sku)"},
        {"name": "name", "selector": "h1.name", "transforms": [{"kind": "trim"}, {"kind": "upper"}]},
        {"name": "price", "field_type": "decimal", "selector": "xpath://p[@class='price']/text()",
         "transforms": [{"kind": "parse_number"}]},
        {"name": "stock", "field_type": "integer", "selector": "#stock"},
        {"name": "added", "field_type": "date", "selector": "time::text"},
        {"name": "active", "field_type": "boolean", "selector": "b.active"},
        {"name": "missing", "selector": ".nope", "default_value": "n/a"},
    ]  # fmt: skip
    [record] = run("dom_selection", {}, fields, doc(product_page(PRODUCTS[0]), "text/html"))
    assert record == {
        "sku": "A-1",
        "name": "ANVIL",
        "price": Decimal("12.50"),
        "stock": 3,
        "added": date(2024, 1, 5),
        "active": True,
        "missing": "n/a",
    }


def test_dom_selection_record_selector_gives_one_record_per_match() -> None:
    html = (
        b"<html><body>"
        + b"".join(product_page(p).split(b"<body>")[1].split(b"</body>")[0] for p in PRODUCTS)
        + b"</body></html>"
    )
    records = run("dom_selection", {"record_selector": "div.product"}, [{"name": "sku", "selector": ".sku::attr(data-sku)"}],
                  doc(html, "text/html"))  # fmt: skip
    assert [r["sku"] for r in records] == ["A-1", "B-2", "C-3"]


def test_json_path_records_and_filters() -> None:
    fields = [{"name": "sku", "selector": "$.sku"}, {"name": "price", "field_type": "decimal", "selector": "price"}]
    records = run(
        "json_path", {"records_path": "$.items[?(@.active == 'yes')]"}, fields, doc(products_json(), "application/json")
    )
    assert records == [{"sku": "A-1", "price": Decimal("12.50")}, {"sku": "C-3", "price": Decimal("7.25")}]


@pytest.mark.parametrize("kind", ["html", "pdf"])
def test_table_detection_html_and_pdf(kind: str) -> None:
    document = doc(catalogue_html(), "text/html") if kind == "html" else doc(invoice_pdf(), "application/pdf")
    fields = [
        {"name": "sku", "selector": "SKU"},
        {"name": "name", "selector": "product name"},
        {"name": "stock", "field_type": "integer", "selector": "#4"},
    ]
    records = run("table_detection", {}, fields, document)
    assert records == [{"sku": p["sku"], "name": p["name"], "stock": int(p["stock"])} for p in PRODUCTS]


def test_key_value_pdf_text_with_locale_number_and_date_format() -> None:
    fields = [
        {"name": "invoice", "selector": "Invoice number", "required": True},
        {"name": "customer", "selector": "customer"},
        {"name": "total", "field_type": "decimal", "selector": "Total", "transforms": [{"kind": "parse_number", "locale": "de"}]},
        {"name": "issued", "field_type": "date", "selector": "regex:Issued:\\s*(\\S+)", "date_formats": ["%d.%m.%Y"]},
    ]  # fmt: skip
    [record] = run("key_value", {}, fields, doc(invoice_pdf(), "application/pdf"))
    assert record == {"invoice": "INV-2024-0042", "customer": "ACME Tools GmbH", "total": Decimal("1234.50"),
                      "issued": date(2024, 3, 5)}  # fmt: skip


def test_key_value_html_form() -> None:
    html = b"""<form><label for="c">Customer</label><input id="c" name="cust" value="Initech">
        <label>Order <input name="o" value="77"></label><input type="checkbox" name="urgent" value="yes" checked>
        <select name="country"><option value="DE">Germany</option><option value="FR" selected>France</option></select>
        <dl><dt>Notes</dt><dd>leave at door</dd></dl></form>"""
    fields = [
        {"name": "customer", "selector": "Customer"},
        {"name": "order_no", "field_type": "integer", "selector": "order"},
        {"name": "urgent", "field_type": "boolean", "selector": "urgent"},
        {"name": "country", "selector": "country"},
        {"name": "notes", "selector": "notes"},
    ]
    [record] = run("key_value", {}, fields, doc(html, "text/html"))
    assert record == {"customer": "Initech", "order_no": 77, "urgent": True, "country": "FR", "notes": "leave at door"}


def test_ocr_text_on_a_scanned_image() -> None:
    fields = [
        {"name": "invoice", "selector": "Invoice number"},
        {"name": "customer", "selector": "Customer"},
        {"name": "total", "field_type": "decimal", "selector": "regex:Total:\\s*([0-9.,]+)"},
    ]
    [record] = run("ocr_text", {}, fields, doc(scanned_png(), "image/png", "scan.png"))
    assert record == {"invoice": "INV-7781", "customer": "Globex Corporation", "total": Decimal("991.20")}


def test_ai_extraction_not_configured_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AI_EXTRACTION_URL", raising=False)
    monkeypatch.delenv("AI_EXTRACTION_MODEL", raising=False)
    spec = ExtractionSpec("ai_extraction", {}, [TemplateField(name="customer")])
    [problem] = ai_extraction.environment(spec)
    assert problem.startswith("ai_extraction is not configured: set AI_EXTRACTION_URL")


def test_ai_extraction_calls_an_openai_compatible_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """A local HTTP server speaking the chat-completions protocol; the strategy sends the document text."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
            prompt = body["messages"][0]["content"]
            customer = "ACME Tools GmbH" if "ACME Tools GmbH" in prompt else None
            answer = {"choices": [{"message": {"content": json.dumps({"customer": customer})}}]}
            payload = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AI_EXTRACTION_URL", f"http://127.0.0.1:{server.server_port}/v1")
        monkeypatch.setenv("AI_EXTRACTION_MODEL", "local-model")
        monkeypatch.setenv("AI_EXTRACTION_API_KEY", "k-123")
        [record] = run(
            "ai_extraction", {}, [{"name": "customer", "required": True}], doc(invoice_pdf(), "application/pdf")
        )
    finally:
        server.shutdown()
    assert record == {"customer": "ACME Tools GmbH"}
    assert seen[0]["path"] == "/v1/chat/completions" and seen[0]["auth"] == "Bearer k-123"
    assert seen[0]["body"]["model"] == "local-model"


@pytest.mark.parametrize(
    ("strategy", "config", "fields", "message"),
    [
        ("dom_selection", {}, [{"name": "a", "selector": "div[[["}], "fields.a.selector: invalid selector"),
        ("dom_selection", {}, [{"name": "a"}], "fields.a.selector: a CSS or XPath selector is required"),
        ("json_path", {}, [{"name": "a", "selector": "$.[["}], "fields.a.selector: invalid JSONPath"),
        ("json_path", {"records_path": "$..[?("}, [{"name": "a", "selector": "$.a"}], "strategy_config.records_path"),
        (
            "key_value",
            {},
            [{"name": "a", "selector": "regex:(unclosed"}],
            "fields.a.selector: invalid regular expression",
        ),
        ("table_detection", {"table_index": -1}, [{"name": "a"}], "strategy_config.table_index"),
        ("ocr_text", {"lang": "eng; rm -rf"}, [{"name": "a"}], "strategy_config.lang"),
        ("nonsense", {}, [{"name": "a"}], "extraction_strategy: unknown strategy 'nonsense'"),
    ],
)
def test_malformed_templates_name_the_field(strategy: str, config: dict, fields: list[dict], message: str) -> None:
    spec = ExtractionSpec(strategy, config, [TemplateField(**f) for f in fields])
    [problem] = template_problems(spec)
    assert problem.startswith(message), problem


def test_catastrophic_regex_times_out_instead_of_hanging() -> None:
    spec = ExtractionSpec("key_value", {}, [TemplateField(name="a", selector="regex:(a|aa)+$")])
    assert template_problems(spec) == []
    with pytest.raises(ExtractionError, match="field a: pattern took longer than"):
        strategy("key_value").extract(doc(b"a" * 40 + b"!", "text/plain"), spec)


def test_wrong_document_kinds_fail_only_that_document() -> None:
    spec = ExtractionSpec("json_path", {}, [TemplateField(name="a", selector="$.a")])
    with pytest.raises(ExtractionError, match=r"broken\.json: not valid JSON"):
        strategy("json_path").extract(doc(b"{oops", "application/json", "broken.json"), spec)
    with pytest.raises(ExtractionError, match=r"scan\.pdf: not a readable PDF"):
        strategy("table_detection").extract(
            doc(b"%PDF-nope", "application/pdf", "scan.pdf"), ExtractionSpec("table_detection", {}, spec.fields)
        )


def test_field_conversion_errors_are_collected_per_field() -> None:
    fields = [
        TemplateField(name="n", field_type="integer"),
        TemplateField(name="d", field_type="date", date_formats=["%Y-%m-%d"]),
        TemplateField(name="r", required=True),
        TemplateField(name="b", field_type="boolean"),
    ]
    _, errors = convert_record(fields, {"n": "1.5", "d": "05/03/2024", "b": "maybe"})
    assert errors == [
        "field n: '1.5' is not a valid integer",
        "field d: '05/03/2024' is not a valid date",
        "field r: required but not found",
        "field b: 'maybe' is not a valid boolean",
    ]


def test_pipeline_vocabularies_are_spelled_once() -> None:
    """schema.py's Literals are the one spelling; the models and the code use them (migrations keep history)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app" / "data_manager"
    lists = [r'"append",\s*"upsert"', r'"fail_fast",\s*"continue"', r'"string",\s*"integer",\s*"decimal"',
             r'"trim",\s*"lower"', r'"dom_selection",\s*"json_path"']  # fmt: skip
    copies = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "migrations" not in path.parts and path.name != "schema.py"
        and any(re.search(pattern, path.read_text()) for pattern in lists)
    ]  # fmt: skip
    assert not copies, f"pipeline vocabularies spelled outside pipelines/schema.py: {copies}"
