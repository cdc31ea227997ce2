"""The designer's undo/redo journal of one location, on disk under `.data/designer/journal/<location>/`, so the
history survives a page reload and an API restart.

Each write is one step holding every file it touched, before and after (bytes, base64 in JSON): undo puts the
before images back byte for byte, redo the after images. Undone steps form the tail of the list; a new step
drops them. A step is recorded as pending before its files are written and confirmed after, so a write killed
half-way is rolled back (`recover`) the next time the journal is opened. Callers hold the location's lock.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from data_manager.atomic_files import write_atomic
from data_manager.designer.layout import LocationLayout

MAX_STEPS = 100


@dataclass(frozen=True)
class FileImage:
    path: str  # relative to the home
    before: bytes | None  # None: the file did not exist
    after: bytes | None  # None: the file is removed

    def as_json(self) -> dict[str, str | None]:
        encode = lambda data: None if data is None else base64.b64encode(data).decode()  # noqa: E731
        return {"path": self.path, "before": encode(self.before), "after": encode(self.after)}

    @classmethod
    def from_json(cls, data: dict) -> FileImage:
        decode = lambda text: None if text is None else base64.b64decode(text)  # noqa: E731
        return cls(data["path"], decode(data["before"]), decode(data["after"]))


@dataclass
class Step:
    id: int
    label: str
    at: float
    files: list[str]
    undone: bool = False
    pending: bool = False

    def as_dict(self) -> dict[str, object]:
        at = datetime.fromtimestamp(self.at, UTC).isoformat(timespec="seconds")
        return {"id": self.id, "label": self.label, "at": at, "files": self.files, "undone": self.undone}


@dataclass
class Journal:
    folder: Path
    steps: list[Step] = field(default_factory=list)

    @classmethod
    def open(cls, layout: LocationLayout) -> Journal:
        folder = layout.paths.data_dir / "designer" / "journal" / layout.name
        journal = cls(folder)
        try:
            items = json.loads((folder / "index.json").read_text())
        except (OSError, ValueError):
            items = []
        journal.steps = [Step(**item) for item in items]
        return journal

    def _save(self) -> None:
        items = [{**step.__dict__} for step in self.steps]
        write_atomic(self.folder / "index.json", json.dumps(items, indent=1))

    def images(self, step: Step) -> list[FileImage]:
        data = json.loads((self.folder / f"step-{step.id}.json").read_text())
        return [FileImage.from_json(item) for item in data["files"]]

    def begin(self, label: str, images: list[FileImage]) -> Step:
        """Record a step as pending (its files not written yet); undone steps are dropped."""
        for step in [step for step in self.steps if step.undone]:
            (self.folder / f"step-{step.id}.json").unlink(missing_ok=True)
        self.steps = [step for step in self.steps if not step.undone]
        next_id = max((step.id for step in self.steps), default=0) + 1
        step = Step(next_id, label, time.time(), [image.path for image in images], pending=True)
        write_atomic(self.folder / f"step-{next_id}.json", json.dumps({"files": [i.as_json() for i in images]}))
        self.steps.append(step)
        for old in self.steps[:-MAX_STEPS]:
            (self.folder / f"step-{old.id}.json").unlink(missing_ok=True)
        self.steps = self.steps[-MAX_STEPS:]
        self._save()
        return step

    def confirm(self, step: Step) -> None:
        step.pending = False
        self._save()

    def forget(self, step: Step) -> None:
        """A step whose files were put back (a failed write): it never happened."""
        self.steps = [item for item in self.steps if item.id != step.id]
        (self.folder / f"step-{step.id}.json").unlink(missing_ok=True)
        self._save()

    def mark(self, step: Step, undone: bool) -> None:
        step.undone = undone
        self._save()

    @property
    def pending(self) -> Step | None:
        return next((step for step in self.steps if step.pending), None)

    @property
    def undo_step(self) -> Step | None:
        done = [step for step in self.steps if not step.undone and not step.pending]
        return done[-1] if done else None

    @property
    def redo_step(self) -> Step | None:
        return next((step for step in self.steps if step.undone), None)

    def as_dict(self, location: str) -> dict[str, object]:
        undo, redo = self.undo_step, self.redo_step
        return {
            "location": location,
            "steps": [step.as_dict() for step in self.steps if not step.pending],
            "can_undo": undo is not None,
            "can_redo": redo is not None,
            "undo": undo.as_dict() if undo else None,
            "redo": redo.as_dict() if redo else None,
        }
