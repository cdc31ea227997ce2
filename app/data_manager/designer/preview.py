"""The assets a location defines, from `dg list defs --json`, cached by the content of its files.

A component that fails to load does not blank the canvas: it is listed under `failed` with its errors, and the
other components' assets come from `dg list defs` on a staged copy of the location without it.

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
from data_manager.designer.dg import commands as dg_commands
from data_manager.designer.dg.output import failed_output_problems
from data_manager.designer.files import content_digest, walk_files
from data_manager.designer.layout import LocationLayout
from data_manager.designer.problems import FAILED, DesignerError, Problem
from data_manager.designer.staged_check import component_file, locate
from data_manager.designer.staging import StagedHome, staged_home

PREVIEW_TIMEOUT_S = 300.0
MAX_FAILED_COMPONENTS = 20
_memory: dict[tuple[str, str], dict] = {}
_lock = threading.Lock()


def _instance_of(source: str | None, project_dir: Path, defs_dir: Path) -> str | None:
    """`src/.../defs/shop_sync/defs.yaml:4` (relative to the project) -> `shop_sync`."""
    if not source:
        return None
    file = source.rsplit(":", 1)[0]
    path = (project_dir / file) if not PurePosixPath(file).is_absolute() else Path(file)
    try:
        relative = path.relative_to(defs_dir)
    except ValueError:
        return None
    return relative.parent.as_posix() if relative.name == "defs.yaml" else relative.with_suffix("").as_posix()


def shape(raw: dict, layout: LocationLayout, staged: StagedHome | None = None) -> dict[str, object]:
    """dg's document as the designer's canvas reads it: assets with their checks and producing instance.

    `staged`: dg ran on that staged copy of the location (its paths map back to the location's)."""
    project_dir, defs_dir = (staged.project_dir, staged.defs_dir) if staged else (layout.project_dir, layout.defs_dir)
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
            "component": _instance_of(asset.get("source"), project_dir, defs_dir),
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
        "ok": True,
        "failed": [],
    }


def _component_files(layout: LocationLayout, component: str) -> list[Path]:
    defs_file = component_file(layout.defs_dir, component)
    if defs_file.suffix == ".py":
        return [defs_file]
    return list(walk_files(defs_file.parent)) if defs_file.parent.is_dir() else []


def _list_defs(layout: LocationLayout, staged: StagedHome | None) -> tuple[dict | None, list[Problem]]:
    """(dg's document, None) or (None, the problems dg printed, each with its component when known)."""
    paths, project = (staged.paths, staged.project_dir) if staged else (layout.paths, layout.project_dir)
    result = dg_commands.run(paths, project, ["list", "defs", "--json"], PREVIEW_TIMEOUT_S)
    if not result.ok:
        home, defs_dir = (staged.home, staged.defs_dir) if staged else (layout.paths.home, layout.defs_dir)
        problems = failed_output_problems(result.stdout + "\n" + result.stderr, home, "dg list defs")
        return None, locate(problems, defs_dir, home)
    raw = dg_commands.parse_json(result)
    if not isinstance(raw, dict):
        raise DesignerError(["dg list defs printed an unexpected document"], kind=FAILED)
    return raw, []


def _build(layout: LocationLayout) -> dict[str, object]:
    """The location's definitions; a component that fails to load is set aside (on a staged copy without it)
    and listed under `failed` with its errors, so every other component's assets are still there."""
    raw, problems = _list_defs(layout, None)
    if raw is not None:
        return shape(raw, layout)
    failed: dict[str | None, list[Problem]] = {}
    document = None
    while document is None:
        new = {problem.component for problem in problems} - set(failed)
        for problem in problems:
            failed.setdefault(problem.component, []).append(problem)
        if None in new or not new or len(failed) > MAX_FAILED_COMPONENTS:
            break  # not a component's fault (or too many): nothing can be shown
        removal = {path: None for component in failed for path in _component_files(layout, str(component))}
        with staged_home(layout, removal) as staged:
            raw, problems = _list_defs(layout, staged)
            if raw is not None:
                document = shape(raw, layout, staged)
    document = document or shape({}, layout)
    document["failed"] = [
        {"component": component, "errors": [problem.as_dict() for problem in errors]}
        for component, errors in failed.items()
    ]
    document["ok"] = False
    return document


def staged_preview(layout: LocationLayout, staged: StagedHome) -> dict[str, object] | None:
    """The preview of a staged copy of the location (its paths mapped back); None when dg refuses it."""
    raw, _ = _list_defs(layout, staged)
    return None if raw is None else shape(raw, layout, staged)


def remember(layout: LocationLayout, document: dict[str, object] | None) -> None:
    """Keep `document` as the preview of the location's files as they are now (a write just made them so)."""
    if document is None or not document.get("ok", True):
        return
    digest = location_digest(layout)
    _store(
        layout, digest, {key: value for key, value in document.items() if key not in ("digest", "cached", "duration_s")}
    )


def _cache_file(layout: LocationLayout, digest: str) -> Path:
    return layout.paths.data_dir / "cache" / "designer" / f"preview-{layout.name}-{digest[:24]}.json"


def _store(layout: LocationLayout, digest: str, document: dict) -> None:
    write_atomic(_cache_file(layout, digest), json.dumps(document))
    with _lock:
        _memory[(str(layout.project_dir), digest)] = document


def location_digest(layout: LocationLayout) -> str:
    return content_digest([layout.project_dir], extra=[layout.paths.dbt_dir / "target" / "manifest.json"])


def preview_location(layout: LocationLayout, refresh: bool = False) -> dict[str, object]:
    """The location's definitions; `cached` says whether dg ran, `duration_s` how long it took."""
    started = time.perf_counter()
    digest = location_digest(layout)
    cache_file = _cache_file(layout, digest)
    key = (str(layout.project_dir), digest)
    document = None if refresh else _memory.get(key)
    if document is None and not refresh and cache_file.is_file():
        try:
            document = json.loads(cache_file.read_text())
        except ValueError:
            document = None
    cached = document is not None
    if document is None:
        document = _build(layout)
        _store(layout, digest, document)
    with _lock:
        _memory[key] = document
    return {**document, "digest": digest, "cached": cached, "duration_s": round(time.perf_counter() - started, 3)}
