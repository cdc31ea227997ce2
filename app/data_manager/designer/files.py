"""A location's own files, walked without following symlinks, and a digest of their contents."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

SKIPPED_DIRS = frozenset({"__pycache__", ".pytest_cache", ".ruff_cache", "target", "dbt_packages", "logs"})


def walk_files(root: Path) -> Iterator[Path]:
    """Regular files under `root` in a stable order; symlinks and caches are skipped."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not (Path(folder) / d).is_symlink())
        for name in sorted(files):
            path = Path(folder) / name
            if not path.is_symlink() and not name.endswith((".pyc", ".tmp")):
                yield path


def content_digest(roots: list[Path], extra: list[Path] | None = None) -> str:
    """sha256 over the paths and bytes of every file under `roots`, plus the size and mtime of `extra` files."""
    digest = hashlib.sha256()
    for root in roots:
        for path in walk_files(root):
            digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    for path in extra or []:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()
