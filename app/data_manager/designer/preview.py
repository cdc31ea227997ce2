"""The assets a location defines, from `dg list defs --json`, cached by the content of its files.

A preview is keyed by a digest of the location's files (and the dbt manifest's size and mtime), in memory
and on disk under `.data/cache/designer/`, so an unchanged location answers without starting dg.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from pathlib import Path, PurePosixPath

from data_manager.atomic_files import write_atomic
from data_manager.designer import dg
from data_manager.designer.dg_output import problems_from_output
from data_manager.designer.files import content_digest
from data_manager.designer.layout import LocationLayout
from data_manager.designer.problems import FAILED, DesignerError, Problem

PREVIEW_TIMEOUT_S = 300.0
_memory: dict[tuple[str, str], dict] = {}
_lock = threading.Lock()


def _instance_of(source: str | None, layout: LocationLayout) -> str | None:
    """`src/.../defs/shop_sync/defs.yaml:4` (relative to the project) -> `shop_sync`."""
    if not source:
        return None
    file = source.rsplit(":", 1)[0]
    path = (layout.project_dir / file) if not PurePosixPath(file).is_absolute() else Path(file)
    try:
        relative = path.relative_to(layout.defs_dir)
    except ValueError:
        return None
    return relative.parent.as_posix() if relative.name == "defs.yaml" else relative.with_suffix("").as_posix()


def shape(raw: dict, layout: LocationLayout) -> dict[str, object]:
    """dg's document as the designer's canvas reads it: assets with their checks and producing instance."""
    checks: dict[str, list[dict]] = defaultdict(list)
    for check in raw.get("asset_checks", []):
        checks[check["asset_key"]].append({"name": check["name"], "key": check["key"]})
    assets = [
        {
            "key": asset["asset_key"],
            "key_parts": asset.get("asset_key_parts") or asset["asset_key"].split("/"),
            "deps": asset.get("dependency_keys", []),
            "group": asset.get("group_name"),
            "kinds": asset.get("kinds", []),
            "description": asset.get("description"),
            "owners": asset.get("owners", []),
            "checks": checks.get(asset["asset_key"], []),
            "component": _instance_of(asset.get("source"), layout),
            "source": asset.get("source"),
        }
        for asset in raw.get("assets", [])
    ]
    return {
        "location": layout.name,
        "assets": assets,
        "jobs": raw.get("jobs", []),
        "schedules": raw.get("schedules", []),
        "sensors": raw.get("sensors", []),
        "resources": raw.get("resources", []),
    }


def location_digest(layout: LocationLayout) -> str:
    return content_digest([layout.project_dir], extra=[layout.paths.dbt_dir / "target" / "manifest.json"])


def preview_location(layout: LocationLayout, refresh: bool = False) -> dict[str, object]:
    """The location's definitions; `cached` says whether dg ran, `duration_s` how long it took."""
    started = time.perf_counter()
    digest = location_digest(layout)
    cache_file = layout.paths.data_dir / "cache" / "designer" / f"preview-{layout.name}-{digest[:24]}.json"
    key = (str(layout.project_dir), digest)
    document = None if refresh else _memory.get(key)
    if document is None and not refresh and cache_file.is_file():
        try:
            document = json.loads(cache_file.read_text())
        except ValueError:
            document = None
    cached = document is not None
    if document is None:
        result = dg.run(layout.paths, layout.project_dir, ["list", "defs", "--json"], PREVIEW_TIMEOUT_S)
        if not result.ok:
            problems = problems_from_output(result.stdout + "\n" + result.stderr, layout.paths.home)
            raise DesignerError(problems or [Problem(f"dg list defs failed: {result.last_error_line()}")], kind=FAILED)
        raw = dg.parse_json(result)
        if not isinstance(raw, dict):
            raise DesignerError(["dg list defs printed an unexpected document"], kind=FAILED)
        document = shape(raw, layout)
        write_atomic(cache_file, json.dumps(document))
    with _lock:
        _memory[key] = document
    return {**document, "digest": digest, "cached": cached, "duration_s": round(time.perf_counter() - started, 3)}
