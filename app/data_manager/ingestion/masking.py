"""`mask_secrets`: the one way ingestion keeps passwords and secret config values out of every message."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<at>@)")
ODBC_PASSWORD = re.compile(r"(?i)(?P<key>\b(?:pwd|password)\s*=\s*)(?P<pw>\{(?:[^}]|\}\})*\}|[^;]*)")


def mask_secrets(text: str, secrets: Iterable[str] = ()) -> str:
    """Hide URL passwords, ODBC `PWD=` values and every known secret literal (also URL-encoded) in `text`.

    Longest secrets first, so a secret containing another one is hidden whole.
    """
    masked = _URL_PASSWORD.sub(lambda m: f"{m['head']}***{m['at']}", text)
    masked = ODBC_PASSWORD.sub(lambda m: f"{m['key']}***", masked)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        masked = masked.replace(secret, "***")
        masked = masked.replace(quote(secret, safe=""), "***")
    return masked
