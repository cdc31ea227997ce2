"""Git for one location: status, diff and commit restricted to its files (nothing else is staged or committed),
and the checkout's branches (list, create, switch: a switch changes the whole checkout, as git does)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from data_manager.designer.layout import LocationLayout
from data_manager.designer.location_files import owned_roots
from data_manager.designer.locking import location_lock
from data_manager.designer.problems import CONFLICT, FAILED, INVALID, NOT_FOUND, DesignerError, Problem

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
    return {
        "location": layout.name,
        "head": head,
        "branch": _current_branch(home),
        "changes": changes,
        "diff": diff,
        "paths": specs,
    }


def _changed_paths(layout: LocationLayout, specs: list[str]) -> list[str]:
    porcelain = _git(layout.paths.home, "status", "--porcelain=v1", "--untracked-files=all", "--", *specs).stdout
    return [line[3:] for line in porcelain.splitlines() if line]


def commit(layout: LocationLayout, message: str, paths: list[str] | None = None) -> dict[str, object]:
    """Commit the location's changes (and only them), or the change set `paths` (some of them), with `message`;
    refused when there is nothing to commit or a path is not one of the location's changed files."""
    message = message.strip()
    problems = []
    if not message:
        problems.append(Problem("the commit message is empty", path=("message",)))
    if len(message) > MAX_MESSAGE_CHARS:
        problems.append(Problem(f"the commit message is longer than {MAX_MESSAGE_CHARS} characters", ("message",)))
    if paths is not None and not paths:
        problems.append(Problem("pick at least one file to commit", path=("paths",)))
    if problems:
        raise DesignerError(problems, kind=INVALID)
    _require_repository(layout)
    home = layout.paths.home
    with location_lock(layout.paths, layout.name):
        changed = _changed_paths(layout, _pathspecs(layout))
        if not changed:
            raise DesignerError([f"location {layout.name!r} has no changes to commit"], kind=CONFLICT)
        if paths is not None:
            unknown = [
                Problem(f"{path!r} is not one of location {layout.name!r}'s changed files", ("paths", index))
                for index, path in enumerate(paths)
                if path not in changed
            ]
            if unknown:
                raise DesignerError(unknown)
        specs = list(paths) if paths is not None else _pathspecs(layout)
        _git(home, "add", "--all", "--", *specs)
        _git(home, "commit", "--quiet", "--only", "-m", message, "--", *specs)
    sha = _git(home, "rev-parse", "HEAD").stdout.strip()
    files = _git(home, "show", "--name-only", "--format=", sha).stdout.split()
    return {"location": layout.name, "commit": sha, "message": message, "files": files}


def _current_branch(home: Path) -> str | None:
    """The checked-out branch; None on a detached HEAD."""
    result = _git(home, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    return result.stdout.strip() or None


def branches(layout: LocationLayout) -> dict[str, object]:
    _require_repository(layout)
    home = layout.paths.home
    listed = _git(home, "for-each-ref", "--format=%(refname:short)", "refs/heads/").stdout.split()
    return {"location": layout.name, "current": _current_branch(home), "branches": sorted(listed)}


def _branch_problems(home: Path, name: str) -> list[Problem]:
    checked = _git(home, "check-ref-format", "--branch", name, check=False)
    if not name or checked.returncode != 0 or name.startswith("-"):
        return [Problem(f"{name!r} is not a valid git branch name", path=("name",))]
    return []


def create_branch(layout: LocationLayout, name: str, checkout: bool = False) -> dict[str, object]:
    """A new branch at HEAD; `checkout` switches to it (the files stay as they are, changes included)."""
    _require_repository(layout)
    home = layout.paths.home
    problems = _branch_problems(home, name)
    if problems:
        raise DesignerError(problems)
    with location_lock(layout.paths, layout.name):
        if name in branches(layout)["branches"]:  # type: ignore[operator]
            raise DesignerError([Problem(f"branch {name!r} exists already", path=("name",))], kind=CONFLICT)
        _git(home, *(["switch", "--quiet", "-c", name] if checkout else ["branch", name]))
    return branches(layout)


def checkout(layout: LocationLayout, branch: str) -> dict[str, object]:
    """Switch the checkout to `branch`; refused (409) while the location has uncommitted changes, which a
    switch could carry over or lose. git refuses on its own when other files would be overwritten."""
    _require_repository(layout)
    home = layout.paths.home
    if branch not in branches(layout)["branches"]:  # type: ignore[operator]
        raise DesignerError([Problem(f"no branch {branch!r}", path=("branch",))], kind=NOT_FOUND)
    with location_lock(layout.paths, layout.name):
        changed = _changed_paths(layout, _pathspecs(layout))
        if changed:
            raise DesignerError(
                [f"location {layout.name!r} has uncommitted changes; commit them first: {', '.join(changed)}"],
                kind=CONFLICT,
            )
        _git(home, "switch", "--quiet", branch)
    return branches(layout)
