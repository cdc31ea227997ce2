"""Source documents: an artifact's bytes (stored, a file, or a URL) and its kind, read with size limits.

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
from urllib.parse import urlparse

import httpx

from data_manager.pipelines.limits import MAX_DOCUMENT_BYTES, MAX_PDF_PAGES, ExtractionError, check_size

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


def read_location(location: str, name: str, timeout_s: float = 60) -> bytes:
    """Bytes of a file path or http(s) URL, refused over the size limit without reading all of it."""
    if location.startswith(("http://", "https://")):
        try:
            with httpx.stream("GET", location, timeout=timeout_s, follow_redirects=True) as response:
                if response.status_code >= 400:
                    raise ExtractionError(f"{name}: GET {_safe(location)} answered HTTP {response.status_code}")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    check_size(name, size)
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise ExtractionError(f"{name}: GET {_safe(location)} failed: {type(exc).__name__}") from None
    path = Path(location.removeprefix("file://"))
    try:
        size = path.stat().st_size
        check_size(name, size)
        return path.read_bytes()
    except FileNotFoundError:
        raise ExtractionError(f"{name}: file {path} does not exist") from None
    except OSError as exc:
        raise ExtractionError(f"{name}: cannot read {path}: {exc.strerror}") from None


def fetch_record(run_id: str, artifact_id: int, source: str, data: bytes) -> dict[str, Any]:
    """What the event store keeps about one fetch (no content)."""
    return {
        "run_id": run_id,
        "artifact_id": artifact_id,
        "source": _safe(source) if source.startswith("http") else source,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _safe(url: str) -> str:
    parsed = urlparse(url)
    host = parsed.hostname or ""
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{host}{port}{parsed.path}"


__all__ = ["MAX_DOCUMENT_BYTES", "Document", "document_kind", "fetch_record", "read_location"]
