"""A full disk under the instance's storage folder, for real: a small tmpfs mounted there (root only).

A step whose output cannot be written fails with one line naming ENOSPC (no traceback, no Dagster wrapper),
leaves no file, partial or temporary, and the re-execution writes it whole once there is room.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from data_manager.execution.step_files import AtomicFilesystemIOManager, write_or_fail

ROWS = list(range(50_000))  # ~250 kB pickled: more than the 64 kB left


@contextlib.contextmanager
def small_tmpfs(path: Path, size: str = "1m") -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def fill(folder: Path, leave_bytes: int = 64 * 1024) -> Path:
    """A filler file that leaves about `leave_bytes` free on `folder`'s filesystem."""
    filler = folder / "filler"
    stats = os.statvfs(folder)
    assert os.path.ismount(folder) and stats.f_blocks * stats.f_frsize <= 1 << 20  # only ever the small tmpfs
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, stats.f_bavail * stats.f_frsize - leave_bytes))
    return filler


@dg.op
def rows() -> list[int]:
    return ROWS


@dg.op
def total(values: list[int]) -> int:
    return sum(values)


@dg.job(executor_def=dg.in_process_executor, resource_defs={"io_manager": AtomicFilesystemIOManager()})
def sums() -> None:
    total(rows())


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_full_storage_disk_fails_the_step_in_one_line_and_leaves_no_file(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "storage") as storage, dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        assert Path(instance.storage_directory()) == storage
        filler = fill(storage)
        result = sums.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
        assert failure.step_key == "rows"
        message = failure.step_failure_data.error.message.strip()
        assert message.startswith("dagster._core.definitions.events.Failure: no space left on device (ENOSPC)")
        assert f"under {storage}/{result.run_id}/rows" in message and "\n" not in message
        assert "Traceback" not in message and failure.step_failure_data.error.cause is None
        run_files = [f for f in files_under(storage) if f.startswith(result.run_id) and "compute_logs" not in f]
        assert run_files == [], run_files  # neither a truncated output nor a leftover temporary file

        filler.unlink()  # space is back: the re-execution from the failed step writes both outputs whole
        with dg.execute_job(
            dg.reconstructable(sums),
            instance=instance,
            reexecution_options=dg.ReexecutionOptions.from_failure(result.run_id, instance),
        ) as retry:
            assert retry.success and retry.output_for_node("total") == sum(ROWS)


def test_write_or_fail_keeps_the_previous_file_whole(tmp_path: Path) -> None:
    with small_tmpfs(tmp_path / "disk") as disk:
        target = disk / "output"
        write_or_fail(target, b"previous")
        fill(disk, leave_bytes=0)
        with pytest.raises(dg.Failure, match=r"^no space left on device \(ENOSPC\) writing output under "):
            write_or_fail(target, b"x" * 200_000)
        assert target.read_bytes() == b"previous" and files_under(disk) == ["filler", "output"]


@dg.op
def unpicklable() -> object:
    return lambda: 1


@dg.job(executor_def=dg.in_process_executor, resource_defs={"io_manager": AtomicFilesystemIOManager()})
def unpicklable_job() -> None:
    total(unpicklable())


def test_an_output_that_does_not_pickle_keeps_dagsters_message_and_leaves_no_file(tmp_path: Path) -> None:
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        result = unpicklable_job.execute_in_process(instance=instance, raise_on_error=False)
        failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
        assert "is not picklable" in failure.step_failure_data.error.message
        storage = Path(instance.storage_directory())
        assert [f for f in files_under(storage) if "compute_logs" not in f] == []
