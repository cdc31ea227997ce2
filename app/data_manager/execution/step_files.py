"""Step outputs on the instance's disk (the multiprocess default), written whole or not at all.

Dagster's default IO manager pickles each output straight into its file under `DAGSTER_HOME/storage`
(Dagster's local artifact storage; the `dagster-storage` volume in Compose). On a full disk that leaves a
truncated file and fails the step with `Error occurred while handling output ...` and the OSError as a
cause further down. Here an output is pickled straight into `atomic_writer`'s temporary file in the same
folder (renamed into place; removed when the write fails; no in-memory copy of a large output), and a full
disk fails the step with one line that names ENOSPC and the folder. The retry (or the next run) writes it again once there is room.
"""

from __future__ import annotations

import contextlib
import errno
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import dagster as dg

from data_manager.atomic_files import atomic_writer
from data_manager.dagster_private_api import PickledObjectFilesystemIOManager


def disk_full_message(path: Path) -> str:
    """One line for a write that found no space: what, where, and what to do."""
    return (
        f"no space left on device (ENOSPC) writing {path.name} under {path.parent}: "
        "free space on that disk and re-execute the run"
    )


@contextlib.contextmanager
def whole_file_or_fail(path: Path) -> Iterator[BinaryIO]:
    """`atomic_writer(path)`; a full disk raises dg.Failure with `disk_full_message` (nothing left at `path`
    but the previous file, if any)."""
    try:
        with atomic_writer(path) as handle:
            yield handle
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise dg.Failure(description=disk_full_message(path)) from None


def write_or_fail(path: Path, payload: bytes) -> None:
    """`payload` at `path` whole (or nothing there); a full disk raises dg.Failure with `disk_full_message`."""
    with whole_file_or_fail(path) as handle:
        handle.write(payload)


class AtomicPickledFilesystemIOManager(PickledObjectFilesystemIOManager):
    """Dagster's filesystem IO manager whose outputs are whole files or none."""

    def dump_to_path(self, context: dg.OutputContext, obj: Any, path: Any) -> None:
        try:
            with whole_file_or_fail(Path(str(path))) as handle:
                pickle.dump(obj, handle, pickle.HIGHEST_PROTOCOL)
        except (dg.Failure, OSError):
            raise
        except Exception:  # a value that does not pickle (its temporary file is gone): Dagster's own message
            try:
                super().dump_to_path(context, obj, path)
            except BaseException:
                Path(str(path)).unlink(missing_ok=True)  # it opens the file before pickling fails: no part stays
                raise


class AtomicFilesystemIOManager(dg.FilesystemIOManager):
    """`dg.FilesystemIOManager` (base_dir: the instance's storage folder) writing through `write_or_fail`."""

    def create_io_manager(self, context: dg.InitResourceContext) -> AtomicPickledFilesystemIOManager:
        assert context.instance is not None
        return AtomicPickledFilesystemIOManager(base_dir=self.base_dir or context.instance.storage_directory())
