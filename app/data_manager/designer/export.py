"""A location as a ZIP: its package, connector files, dbt files and its registry entry."""

from __future__ import annotations

import io
import json
import zipfile

from data_manager.designer.layout import LocationLayout
from data_manager.designer.location_files import owned_files

REGISTRY_ENTRY = "code-location.json"


def export_zip(layout: LocationLayout) -> bytes:
    """ZIP bytes; paths inside are relative to the project home, plus `code-location.json`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in owned_files(layout):
            archive.write(path, layout.relative(path))
        entry = layout.location.model_dump(mode="json")
        archive.writestr(REGISTRY_ENTRY, json.dumps(entry, indent=2) + "\n")
    return buffer.getvalue()
