"""Source documents: an artifact's bytes and its kind (read by `artifact_access` within its limits).

Every fetch is logged in the ingestion event store (type `pipeline_artifact_fetched`), so what a run
read stays on record next to the other integrations' API calls.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from data_manager.pipelines.artifact_access import safe_url
from data_manager.pipelines.limits import MAX_PDF_PAGES, ExtractionError

log = logging.getLogger(__name__)

Kind = Literal["html", "json", "pdf", "image", "text"]
_EXTENSIONS: dict[str, Kind] = {
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".pdf": "pdf",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
    ".txt": "text",
}


def document_kind(media_type: str, name: str) -> Kind:
    media = media_type.split(";")[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return "html"
    if media == "application/json" or media.endswith("+json"):
        return "json"
    if media == "application/pdf":
        return "pdf"
    if media.startswith("image/"):
        return "image"
    if media.startswith("text/"):
        return "text"
    return _EXTENSIONS.get(Path(name).suffix.lower(), "text")


@dataclass
class Document:
    artifact_id: int
    name: str
    media_type: str
    data: bytes

    @property
    def kind(self) -> Kind:
        return document_kind(self.media_type, self.name)

    @cached_property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def pdf(self) -> Any:
        """An open pdfplumber document (caller closes it), refused over MAX_PDF_PAGES pages."""
        import pdfplumber

        try:
            pdf = pdfplumber.open(io.BytesIO(self.data))
            pages = len(pdf.pages)
        except Exception as exc:
            raise ExtractionError(f"{self.name}: not a readable PDF ({type(exc).__name__})") from None
        if pages > MAX_PDF_PAGES:
            pdf.close()
            raise ExtractionError(f"{self.name}: {pages} pages is over the {MAX_PDF_PAGES}-page limit")
        return pdf


def fetch_record(run_id: str, artifact_id: int, source: str, data: bytes) -> dict[str, Any]:
    """What the event store keeps about one fetch (no content)."""
    return {
        "run_id": run_id,
        "artifact_id": artifact_id,
        "source": safe_url(source) if source.startswith("http") else source,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


__all__ = ["Document", "document_kind", "fetch_record"]
