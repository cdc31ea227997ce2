"""Uploads of real size through a real `data-manager api` process and the CLI: streamed, sha256, one artifact per
content, 413 over ARTIFACT_MAX_MB; the 1 MiB limit stays for JSON bodies."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from data_manager.api.readiness import wait_until_healthy
from data_manager.pipelines.store import PipelineStore
from data_manager.process_groups import free_port, stop_group
from stack import REPO_ROOT

MB = 1024 * 1024
LIMIT_MB = 25


@pytest.fixture
def api_process(store: PipelineStore, tmp_path: Path) -> Iterator[tuple[str, psutil.Process]]:
    port = free_port()
    env = {**os.environ, "ARTIFACT_MAX_MB": str(LIMIT_MB)}
    env.pop("PLATFORM_API_TOKEN", None)
    log = (tmp_path / "api.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "data_manager.cli", "api", "--port", str(port)],
        env=env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, timeout_s=120, process=process)
        yield url, psutil.Process(process.pid)
    finally:
        stop_group(process, grace_s=15)
        log.close()


class PeakRss:
    """The process's highest RSS while the block runs (sampled every 20 ms)."""

    def __init__(self, process: psutil.Process) -> None:
        self.process, self.peak, self._stop = process, process.memory_info().rss, threading.Event()

    def __enter__(self) -> PeakRss:
        self.before = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.before) / MB


def multipart(name: str, data: bytes, boundary: str = "test-boundary-7d1") -> Iterator[bytes]:
    """A multipart body sent in 256 KiB pieces (chunked: no Content-Length for the middleware to judge)."""
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
           "Content-Type: application/pdf\r\n\r\n").encode()  # fmt: skip
    for start in range(0, len(data), 256 * 1024):
        yield data[start : start + 256 * 1024]
    yield f"\r\n--{boundary}--\r\n".encode()


def test_a_20_mb_upload_streams_to_storage_with_bounded_memory(api_process, store: PipelineStore) -> None:
    url, process = api_process
    data = os.urandom(20 * MB)
    headers = {"Content-Type": "multipart/form-data; boundary=test-boundary-7d1"}
    httpx.post(f"{url}/api/artifacts", content=multipart("warm.pdf", b"%PDF-warm"), headers=headers, timeout=60)
    with PeakRss(process) as rss:
        response = httpx.post(f"{url}/api/artifacts", content=multipart("big.pdf", data), headers=headers, timeout=300)
    assert response.status_code == 201, response.text
    artifact = response.json()
    print(f"API RSS growth during a 20 MB upload: {rss.growth_mb:.1f} MB")
    assert rss.growth_mb < 20, f"the API grew by {rss.growth_mb:.1f} MB: it holds the upload in memory"
    assert artifact["size_bytes"] == len(data) and artifact["sha256"] == hashlib.sha256(data).hexdigest()
    assert store.artifact_content(artifact["id"]) == data
    again = httpx.post(f"{url}/api/artifacts", files={"file": ("copy.pdf", data, "application/pdf")}, timeout=300)
    assert (again.status_code, again.json()["id"]) == (200, artifact["id"])  # the same bytes: the same artifact
    assert len(store.list_artifacts()) == 2


def test_too_large_uploads_are_refused_naming_the_limit_and_json_keeps_its_1_mib_limit(api_process, store) -> None:
    url, _ = api_process
    over = os.urandom(LIMIT_MB * MB + 1)
    message = f"file: larger than {LIMIT_MB} MB, the limit (set ARTIFACT_MAX_MB to change it)"
    declared = httpx.post(f"{url}/api/artifacts", files={"file": ("big.pdf", over + b"x" * MB)}, timeout=300)
    assert (declared.status_code, declared.json()["errors"][0]["message"]) == (413, message)
    headers = {"Content-Type": "multipart/form-data; boundary=test-boundary-7d1"}
    streamed = httpx.post(f"{url}/api/artifacts", content=multipart("big.pdf", over), headers=headers, timeout=300)
    assert (streamed.status_code, streamed.json()["errors"][0]["message"]) == (413, message)
    chunked = httpx.post(f"{url}/api/artifacts", content=multipart("big.pdf", over + over[: 2 * MB]), headers=headers, timeout=300)  # fmt: skip
    assert (chunked.status_code, chunked.json()["errors"][0]["message"]) == (413, message)
    assert store.list_artifacts() == []
    big_json = {"name": "x" * (2 * MB), "media_type": "text/html", "location": "/nowhere"}
    refused = httpx.post(f"{url}/api/artifacts", json=big_json, timeout=60)
    assert (refused.status_code, refused.json()["errors"][0]["message"]) == (413, "request body larger than 1024 KiB")


def test_cli_adds_files_streamed_once_per_content_and_refuses_paths_outside_the_roots(
    store: PipelineStore, tmp_path: Path, artifact_root: Path
) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 " + os.urandom(3 * MB))

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "data_manager.cli", "pipelines", "artifacts", *args],
                              capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)  # fmt: skip

    added = cli("add", str(report), "--json")
    assert added.returncode == 0, added.stderr
    first = json.loads(added.stdout)
    assert (first["created"], first["media_type"], first["size_bytes"]) == (
        True,
        "application/pdf",
        report.stat().st_size,
    )
    again = cli("add", str(report), "--name", "copy")
    assert again.returncode == 0 and again.stdout.startswith(f"already stored as artifact {first['id']}: report.pdf")
    outside = cli("add", "/etc/passwd", "--link")
    assert outside.returncode == 2 and outside.stderr.count("\n") == 1
    assert f"/etc/passwd is outside ARTIFACT_ROOTS ({artifact_root})" in outside.stderr
    (artifact_root / "linked.html").write_text("<p>x</p>")
    linked = cli("add", str(artifact_root / "linked.html"), "--link")
    assert linked.returncode == 0 and "text/html" in linked.stdout
    listed = cli("list")
    assert [line.split("\t")[1] for line in listed.stdout.splitlines()] == ["report.pdf", "linked.html"]
