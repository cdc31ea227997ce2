"""Every designer write goes through `apply_change`: a whole change (files created, changed or removed) is checked
by the staged `dg check defs`, journalled, then written all together; undo and redo are changes too.

The caller holds the location's lock (`location_lock`) from reading the files it changes to this call, so what
it computed from them is still true when they are replaced. Nothing is written when the check fails; a failure
half-way puts every file back, and a process killed half-way is rolled back the next time (`recover`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from data_manager.atomic_files import write_atomic_bytes
from data_manager.dbt.layout import manifest_path
from data_manager.designer import preview
from data_manager.designer.journal import FileImage, Journal, Step
from data_manager.designer.layout import LocationLayout
from data_manager.designer.problems import CONFLICT, DesignerError, Problem
from data_manager.designer.staged_check import StagedResult, staged_check

NEW_FILE_MODE = 0o644
Changes = Mapping[Path, bytes | None]


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _write_files(layout: LocationLayout, contents: Mapping[Path, bytes | None]) -> None:
    """Write (or remove) every file; on any failure the ones already written are put back."""
    before = {path: _read(path) for path in contents}
    done: list[Path] = []
    try:
        for path, content in contents.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic_bytes(path, content, None if path.exists() else NEW_FILE_MODE)
            done.append(path)
    except BaseException:
        for path in reversed(done):
            if before[path] is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic_bytes(path, before[path])  # type: ignore[arg-type]
        raise
    finally:
        for path in contents:
            if not path.exists():
                _prune_empty_parents(layout, path)


def _prune_empty_parents(layout: LocationLayout, removed: Path) -> None:
    """Folders left empty below defs/ once `removed` is gone (after a delete, a rename or an undo)."""
    parent = removed.parent
    while layout.defs_dir in parent.parents and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def recover(layout: LocationLayout, journal: Journal) -> None:
    """A step left pending (the process died while writing it): its before images go back, it is forgotten."""
    step = journal.pending
    if step is None:
        return
    images = journal.images(step)
    _write_files(layout, {layout.paths.home / image.path: image.before for image in images})
    journal.forget(step)


def open_journal(layout: LocationLayout) -> Journal:
    journal = Journal.open(layout)
    recover(layout, journal)
    return journal


def check(layout: LocationLayout, changes: Changes) -> StagedResult:
    """Refuse `changes` when the staged check finds problems; else the check's result: the staged dbt manifest
    when dbt files changed, and the location's preview as it will be (computed beside the check)."""
    result = staged_check(layout, changes, beside=lambda staged: preview.staged_preview(layout, staged))
    if result.problems:
        raise DesignerError(result.problems)
    return result


def _after_write(layout: LocationLayout, result: StagedResult) -> None:
    """Derived files follow the files just written: the dbt manifest, the preview cache."""
    _publish_manifest(layout, result.manifest)
    preview.remember(layout, result.beside)


def _publish_manifest(layout: LocationLayout, manifest: bytes | None) -> None:
    """The manifest dbt parsed on the staged copy is the one of the files now written: code servers load it."""
    if manifest is not None:
        write_atomic_bytes(manifest_path(layout.paths.dbt_dir), manifest)


def apply_change(layout: LocationLayout, label: str, changes: Changes) -> Step | None:
    """Check, journal and write `changes` (real path -> bytes, None to remove); the step, None when nothing changes."""
    effective = {path: content for path, content in changes.items() if _read(path) != content}
    if not effective:
        return None
    for path in effective:
        if layout.project_dir in path.parents:
            layout.ensure_inside(path)
    checked = check(layout, effective)
    journal = open_journal(layout)
    images = [FileImage(layout.relative(path), _read(path), content) for path, content in effective.items()]
    step = journal.begin(label, images)
    try:
        _write_files(layout, effective)
    except BaseException:
        journal.forget(step)
        raise
    journal.confirm(step)
    _after_write(layout, checked)
    return step


def _changed_since(layout: LocationLayout, images: list[FileImage], expected: str) -> list[str]:
    home = layout.paths.home
    return [image.path for image in images if _read(home / image.path) != getattr(image, expected)]


def _replay(layout: LocationLayout, undo: bool) -> tuple[Step, list[str]]:
    journal = open_journal(layout)
    step = journal.undo_step if undo else journal.redo_step
    verb = "undo" if undo else "redo"
    if step is None:
        raise DesignerError([f"nothing to {verb} in location {layout.name!r}"], kind=CONFLICT)
    images = journal.images(step)
    changed = _changed_since(layout, images, "after" if undo else "before")
    if changed:
        raise DesignerError(
            [Problem(f"cannot {verb} step {step.id} ({step.label}): {path} was changed since", file=path)
             for path in changed],
            kind=CONFLICT,
        )  # fmt: skip
    contents = {layout.paths.home / image.path: image.before if undo else image.after for image in images}
    checked = check(layout, contents)
    _write_files(layout, contents)
    journal.mark(step, undone=undo)
    _after_write(layout, checked)
    return step, [image.path for image in images]


def undo(layout: LocationLayout) -> tuple[Step, list[str]]:
    """Put the last step's files back as they were before it (byte for byte); (the step, its files)."""
    return _replay(layout, undo=True)


def redo(layout: LocationLayout) -> tuple[Step, list[str]]:
    return _replay(layout, undo=False)
