"""`ai_extraction`: fields read by a language model behind any OpenAI-compatible chat endpoint.

Pluggable: `register_extractor(obj)` installs anything with `extract(text, fields, instructions)`;
otherwise the endpoint comes from AI_EXTRACTION_URL (e.g. http://127.0.0.1:11434/v1), AI_EXTRACTION_MODEL
and the optional secret AI_EXTRACTION_API_KEY. With neither, the strategy refuses with a clear
"not configured" error; it never invents output.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import httpx

from data_manager.errors import UserError
from data_manager.pipelines.documents import Document
from data_manager.pipelines.findings import Findings
from data_manager.pipelines.limits import ExtractionError
from data_manager.pipelines.models import TemplateField
from data_manager.pipelines.strategies import ExtractionSpec, key_value, text_option
from data_manager.settings import env

MAX_PROMPT_CHARS = 60_000
NOT_CONFIGURED = (
    "ai_extraction is not configured: set AI_EXTRACTION_URL (an OpenAI-compatible base URL such as "
    "http://127.0.0.1:11434/v1) and AI_EXTRACTION_MODEL, plus AI_EXTRACTION_API_KEY if the endpoint needs one"
)


class AIExtractor(Protocol):
    def extract(self, text: str, fields: list[TemplateField], instructions: str) -> dict[str, Any]: ...


_registered: AIExtractor | None = None


def register_extractor(extractor: AIExtractor | None) -> None:
    """Use `extractor` for every ai_extraction (None goes back to the settings)."""
    global _registered
    _registered = extractor


class OpenAICompatibleExtractor:
    def __init__(self, base_url: str, model: str, api_key: str = "", timeout_s: float = 120) -> None:
        self.base_url, self.model, self.api_key, self.timeout_s = base_url.rstrip("/"), model, api_key, timeout_s

    def extract(self, text: str, fields: list[TemplateField], instructions: str) -> dict[str, Any]:
        wanted = {
            f.name: f"{f.field_type}{' (required)' if f.required else ''}: {f.selector or f.name}" for f in fields
        }
        prompt = (
            f"{instructions}\nReturn one JSON object with exactly these keys (null when absent): "
            f"{json.dumps(wanted)}\n\nDocument:\n{text[:MAX_PROMPT_CHARS]}"
        )
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "temperature": 0,
            "response_format": {"type": "json_object"},
        }
        try:
            response = httpx.post(
                f"{self.base_url}/chat/completions", json=body, headers=headers, timeout=self.timeout_s
            )
        except httpx.HTTPError as exc:
            raise ExtractionError(f"AI endpoint {self.base_url} unreachable: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise ExtractionError(f"AI endpoint {self.base_url} answered HTTP {response.status_code}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
            values = json.loads(content)
        except (ValueError, KeyError, IndexError, TypeError):
            raise ExtractionError(f"AI endpoint {self.base_url} did not answer with a JSON object") from None
        if not isinstance(values, dict):
            raise ExtractionError(f"AI endpoint {self.base_url} did not answer with a JSON object")
        return values


def configured_extractor() -> AIExtractor:
    if _registered is not None:
        return _registered
    url, model = env("AI_EXTRACTION_URL"), env("AI_EXTRACTION_MODEL")
    if not url or not model:
        raise UserError(NOT_CONFIGURED)
    return OpenAICompatibleExtractor(url, model, env("AI_EXTRACTION_API_KEY"))


OPTIONS = {"instructions": text_option}


def check(spec: ExtractionSpec) -> list[str]:
    return []


def environment(spec: ExtractionSpec) -> list[str]:
    try:
        configured_extractor()
    except UserError as exc:
        return [str(exc)]
    return []


def extract(document: Document, spec: ExtractionSpec) -> Findings:
    if document.kind == "image":
        from data_manager.pipelines.strategies.ocr_text import document_text as ocr

        text = ocr(document, spec)
    elif document.kind == "json":
        text = document.text
    else:
        text = key_value.document_text(document)[1]
    values = configured_extractor().extract(text, spec.fields, spec.option("instructions", "Extract the fields."))
    return Findings.of_records([{f.name: values.get(f.name) for f in spec.fields}])
