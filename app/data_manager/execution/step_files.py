"""Step outputs on the instance's disk (the multiprocess default), written whole or not at all.

Dagster's default IO manager pickles each output straight into its file under `DAGSTER_HOME/storage`
(Dagster's local artifact storage; the `dagster-storage` volume in Compose). On a full disk that leaves a
truncated file and fails the step with `Error occurred while handling output ...` and the OSError as a
cause further down. Here an output is pickled in memory and written with `write_atomic_bytes` (a temporary
file in the same folder, renamed into place; removed when the write fails), and a full disk fails the step
with one line that names ENOSPC and the folder. The retry (or the next run) writes it again once there is room.
"""

from __future__ import annotations

import errno
import pickle
from pathlib import Path
from typing import Any

import dagster as dg

from data_manager.atomic_files import write_atomic_bytes
from data_manager.dagster_private_api import PickledObjectFilesystemIOManager


def disk_full_message(path: Path) -> str:
    """One line for a write that found no space: what, where, and what to do."""
    return (
        f"no space left on device (ENOSPC) writing {path.name} under {path.parent}: "
        "free space on that disk and re-execute the run"
    )


def write_or_fail(path: Path, payload: bytes) -> None:
    """`payload` at `path` whole (or nothing there); a full disk raises dg.Failure with `disk_full_message`."""
    try:
        write_atomic_bytes(path, payload)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise dg.Failure(description=disk_full_message(path)) from None


class AtomicPickledFilesystemIOManager(PickledObjectFilesystemIOManager):
    """Dagster's filesystem IO manager whose outputs are whole files or none."""

    def dump_to_path(self, context: dg.OutputContext, obj: Any, path: Any) -> None:
        try:
            payload = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        except Exception:  # Dagster's own message for values that do not pickle
            super().dump_to_path(context, obj, path)
            return
        write_or_fail(Path(str(path)), payload)


class AtomicFilesystemIOManager(dg.FilesystemIOManager):
    """`dg.FilesystemIOManager` (base_dir: the instance's storage folder) writing through `write_or_fail`."""

    def create_io_manager(self, context: dg.InitResourceContext) -> AtomicPickledFilesystemIOManager:
        assert context.instance is not None
        return AtomicPickledFilesystemIOManager(base_dir=self.base_dir or context.instance.storage_directory())
