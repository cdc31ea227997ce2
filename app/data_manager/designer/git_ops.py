"""Git status, diff and commit restricted to one location's files (nothing else is staged or committed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from data_manager.designer.layout import LocationLayout
from data_manager.designer.location_files import owned_roots
from data_manager.designer.locking import location_lock
from data_manager.designer.problems import CONFLICT, FAILED, INVALID, DesignerError

GIT_TIMEOUT_S = 60.0
MAX_MESSAGE_CHARS = 5000


def _git(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args], cwd=home, capture_output=True, text=True, timeout=GIT_TIMEOUT_S
        )
    except FileNotFoundError:
        raise DesignerError(["git is not installed"], kind=FAILED) from None
    except subprocess.TimeoutExpired:
        raise DesignerError([f"git {args[0]} took longer than {GIT_TIMEOUT_S:.0f}s"], kind=FAILED) from None
    if check and result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise DesignerError([f"git {args[0]} failed: {lines[-1] if lines else result.returncode}"], kind=FAILED)
    return result


def _pathspecs(layout: LocationLayout) -> list[str]:
    return [layout.relative(path) for path in owned_roots(layout) if path.exists() or path == layout.project_dir]


def _require_repository(layout: LocationLayout) -> None:
    inside = _git(layout.paths.home, "rev-parse", "--is-inside-work-tree", check=False)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise DesignerError([f"{layout.paths.home} is not a git repository"], kind=CONFLICT)


def status(layout: LocationLayout) -> dict[str, object]:
    """Changed files of the location (porcelain status) and the diff against HEAD, untracked files included."""
    _require_repository(layout)
    home = layout.paths.home
    specs = _pathspecs(layout)
    porcelain = _git(home, "status", "--porcelain=v1", "--untracked-files=all", "--", *specs).stdout
    changes = [{"status": line[:2].strip(), "path": line[3:]} for line in porcelain.splitlines() if line]
    _git(home, "add", "--intent-to-add", "--", *specs)  # shows new files in the diff; stages no content
    try:
        diff = _git(home, "diff", "HEAD", "--", *specs, check=False).stdout
    finally:
        untracked = [change["path"] for change in changes if change["status"] == "??"]
        if untracked:
            _git(home, "reset", "--quiet", "--", *untracked, check=False)
    head = _git(home, "rev-parse", "--short", "HEAD", check=False).stdout.strip() or None
    return {"location": layout.name, "head": head, "changes": changes, "diff": diff, "paths": specs}


def commit(layout: LocationLayout, message: str) -> dict[str, object]:
    """Commit the location's changes (and only them) with `message`; refused when there is nothing to commit."""
    message = message.strip()
    problems = []
    if not message:
        problems.append("the commit message is empty")
    if len(message) > MAX_MESSAGE_CHARS:
        problems.append(f"the commit message is longer than {MAX_MESSAGE_CHARS} characters")
    if problems:
        raise DesignerError(problems, kind=INVALID)
    _require_repository(layout)
    home = layout.paths.home
    with location_lock(layout.paths, layout.name):
        specs = _pathspecs(layout)
        if not _git(home, "status", "--porcelain", "--untracked-files=all", "--", *specs).stdout.strip():
            raise DesignerError([f"location {layout.name!r} has no changes to commit"], kind=CONFLICT)
        _git(home, "add", "--all", "--", *specs)
        _git(home, "commit", "--quiet", "--only", "-m", message, "--", *specs)
    sha = _git(home, "rev-parse", "HEAD").stdout.strip()
    files = _git(home, "show", "--name-only", "--format=", sha).stdout.split()
    return {"location": layout.name, "commit": sha, "message": message, "files": files}
