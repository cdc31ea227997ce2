"""The soak's own parts that decide a verdict: the small disk it fills and what a full-disk run must show."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from stack import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import soak


def test_the_small_disk_fills_to_enospc_frees_and_unmounts(tmp_path: Path) -> None:
    disk = soak.SmallDisk(tmp_path / "home" / "storage", inside=tmp_path, size="2m")
    disk.mount()
    if not disk.mounted:
        pytest.skip(disk.problem)
    try:
        assert 1 << 20 < disk.fill() <= 2 << 20  # the tmpfs's size, never more
        with pytest.raises(OSError, match="No space left on device"):
            (disk.path / "one-more").write_bytes(b"x" * 8192)
        (disk.path / ".result.abc.tmp").touch()
        assert disk.leftovers() == [".result.abc.tmp"]
        disk.free()
        (disk.path / "one-more").write_bytes(b"x" * 8192)
    finally:
        disk.unmount()
    assert not disk.path.is_mount() and not (disk.path / "one-more").exists()
    with pytest.raises(OSError, match="not the soak's small tmpfs"):
        disk.fill()  # the folder is no mount point any more: it is never filled


def test_the_small_disk_is_never_mounted_outside_the_soaks_folder(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="refusing to mount"):
        soak.SmallDisk(tmp_path / "inside" / ".." / ".." / "elsewhere", inside=tmp_path / "inside")


def test_a_full_disk_run_must_fail_in_one_line_naming_enospc() -> None:
    line = "plan_chunks: no space left on device (ENOSPC) writing chunk_0 under /s/r/plan_chunks/result: free space"
    assert soak.disk_full_problems({"status": "FAILURE", "records_loaded": 0}, line, []) == []
    wrapped = 'plan_chunks: Error occurred while handling output "result"\ncaused by: OSError: [Errno 28] No space'
    assert "not one line per step naming ENOSPC" in soak.disk_full_problems({"status": "FAILURE"}, wrapped, [])[0]
    assert soak.disk_full_problems({"status": "SUCCESS"}, "", []) == ["the run ended SUCCESS, not FAILURE"]
    problems = soak.disk_full_problems({"status": "FAILURE", "records_loaded": 40}, line, ["r/.result.x.tmp"])
    assert problems == ["40 records counted as loaded by the failed run", "partial files left: ['r/.result.x.tmp']"]


def test_docker_stats_memory_is_read_in_bytes() -> None:
    assert soak.memory_bytes("123.5MiB ") == int(123.5 * (1 << 20))
    assert soak.memory_bytes("1.5GiB") == 3 << 29 and soak.memory_bytes("900KiB") == 900 << 10


def _run(run_id: str, status: str, root: str | None = None, parent: str | None = None, retry: int = 0) -> dict:
    tags = [{"key": "dagster/retry_number", "value": str(retry)}]
    tags += [{"key": "dagster/root_run_id", "value": root}] if root else []
    tags += [{"key": "dagster/parent_run_id", "value": parent}] if parent else []
    return {"runId": run_id, "status": status, "tags": tags}


def test_a_failed_run_with_attempts_left_is_still_due_for_its_retry() -> None:
    runs = [
        _run("a", "FAILURE"),
        _run("a1", "FAILURE", root="a", parent="a", retry=1),  # a's first retry failed: a second is due
        _run("b", "FAILURE"),
        _run("b1", "SUCCESS", root="b", parent="b", retry=1),  # recovered: nothing due
        _run("c", "FAILURE"),
        _run("c1", "FAILURE", root="c", parent="c", retry=1),
        _run("c2", "FAILURE", root="c", parent="c1", retry=2),  # both retries used: lost, not due
        _run("d", "SUCCESS"),
    ]
    assert soak.retries_due(runs, max_retries=2) == ["a1"]
    assert soak.retries_due(runs, max_retries=1) == []
    assert soak.retries_due([_run("e", "FAILURE")]) == ["e"]  # platform/dagster.yaml allows retries


def test_a_lost_runs_attempts_are_listed_in_order_with_their_causes() -> None:
    runs = [_run("c2", "FAILURE", root="c", parent="c1", retry=2), _run("c", "FAILURE"),
            _run("c1", "CANCELED", root="c", parent="c", retry=1)]  # fmt: skip
    causes = {"c": "ENOSPC writing chunk_0", "c2": "code server stopped"}
    assert soak.lost_chains(runs, ["c"], causes) == {
        "c": ["FAILURE: ENOSPC writing chunk_0", "CANCELED", "FAILURE: code server stopped"]
    }
