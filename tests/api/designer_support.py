"""A throw-away copy of this repository for designer tests: its own git history, dbt manifest and caches."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from prepared_files import copy_prepared_files

REPO_ROOT = Path(__file__).resolve().parents[2]
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Designer Test",
    "GIT_AUTHOR_EMAIL": "designer-test@example.invalid",
    "GIT_COMMITTER_NAME": "Designer Test",
    "GIT_COMMITTER_EMAIL": "designer-test@example.invalid",
}


def copy_repository(target: Path) -> Path:
    """Tracked and new (not ignored) files, the prepared dbt manifest and the component catalog cache."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for relative in filter(None, listed):
        source = REPO_ROOT / relative
        if source.is_file() and not source.is_symlink():
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    copy_prepared_files(REPO_ROOT, target)
    environment = {**os.environ, **GIT_IDENTITY}
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "copy"]):
        subprocess.run(["git", *command], cwd=target, env=environment, check=True, capture_output=True)
    return target


def git(home: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=home, env={**os.environ, **GIT_IDENTITY}, capture_output=True, text=True, check=True
    ).stdout


def refused(response, status: int) -> list[dict]:
    """The errors of a refused request: the status expected, every error in words, no traceback."""
    assert response.status_code == status, response.text
    errors = response.json()["errors"]
    assert errors and all(error["message"] for error in errors)
    assert "Traceback" not in response.text
    return errors


def assert_defs_ok(client, base: str) -> None:
    """`dg check defs` (with the schema and `dg check yaml`) passes on the location at `base` as it is on disk."""
    check = client.post(f"{base}/check", json={"defs": True}).json()
    assert check["ok"] is True, check["errors"]
