"""All-or-nothing file changes: stage everything, then rename into place.

Used by `locations add/remove` so an error half-way changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO


def write_atomic(path: Path, content: str) -> None:
    write_atomic_bytes(path, content.encode())


def write_atomic_bytes(path: Path, content: bytes, mode: int | None = None) -> None:
    """Replace `path` with `content` in one rename; `mode` (default: the replaced file's, else 0o600)."""
    with atomic_writer(path, mode) as handle:
        handle.write(content)


@contextlib.contextmanager
def atomic_writer(path: Path, mode: int | None = None) -> Iterator[BinaryIO]:
    """A file to stream into that replaces `path` in one rename when the block ends, and is removed if the
    block raises: `path` is the old file or the whole new one, never a part (and large content is never
    held in memory). `mode` as for `write_atomic_bytes`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None and path.exists():
        mode = path.stat().st_mode & 0o777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class Transaction:
    """Collects file writes, new directories and removals; `commit` applies them, undoing on failure."""

    writes: dict[Path, str] = field(default_factory=dict)
    new_dirs: list[tuple[Path, Path]] = field(default_factory=list)  # (staged, final)
    removals: list[Path] = field(default_factory=list)

    def write(self, path: Path, content: str) -> None:
        self.writes[path] = content

    def stage_dir(self, final: Path) -> Path:
        """A scratch directory on the same filesystem that becomes `final` at commit."""
        final.parent.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.staged."))
        self.new_dirs.append((staged, final))
        return staged

    def remove(self, path: Path) -> None:
        self.removals.append(path)

    def discard(self) -> None:
        for staged, _ in self.new_dirs:
            shutil.rmtree(staged, ignore_errors=True)

    def commit(self) -> None:
        done: list[tuple[str, Path, Path | None]] = []  # (kind, path, backup)
        trash: list[Path] = []
        try:
            for path in self.removals:
                if not path.exists():
                    continue
                backup = path.with_name(f".{path.name}.removed.{os.getpid()}")
                os.replace(path, backup)
                done.append(("removed", path, backup))
                trash.append(backup)
            for staged, final in self.new_dirs:
                if final.exists():
                    raise FileExistsError(f"{final} already exists")
                os.replace(staged, final)
                done.append(("created_dir", final, None))
            for path, content in self.writes.items():
                backup = None
                if path.exists():
                    backup = path.with_name(f".{path.name}.bak.{os.getpid()}")
                    shutil.copy2(path, backup)
                    trash.append(backup)
                write_atomic(path, content)
                done.append(("wrote", path, backup))
        except BaseException:
            for kind, path, backup in reversed(done):
                if kind == "removed" and backup is not None:
                    os.replace(backup, path)
                elif kind == "created_dir":
                    shutil.rmtree(path, ignore_errors=True)
                elif kind == "wrote":
                    if backup is not None:
                        os.replace(backup, path)
                    else:
                        path.unlink(missing_ok=True)
            self.discard()
            raise
        for path in trash:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
