"""Benchmark the designer in headless Chromium; prints one JSON line.

- initial_bundle_gzip_kb: the files the first page loads (index.html, its script, styles and preloads), gzipped;
  Monaco is a lazy chunk and not in it. Target <= 1024.
- first_canvas_ms: navigation to the sample location's assets drawn (its preview warmed first). Target <= 1500.
- synthetic_layout_draw_ms: 1000 synthetic assets, preview arrival to every asset row drawn. Target <= 2000.
- form_render_ms: a node selected to its form's fields drawn. Target <= 100.
- synthetic_pan_fps, synthetic_zoom_fps: frames per second while the 1000-asset canvas is dragged, and wheeled, by
  the mouse (goal >= 30; the seed's 60 FPS); the viewport must have moved.
- write_saved_s, write_reloaded_s (goal <= 3), lineage_edit_confirmed_s (goal <= 2), undo_s, state_poll_s:
  designer writes and the live-state poll against a running platform of their own (`designer_write_bench`;
  `--server-only` measures just these).

The API runs on this repository (read-only routes only) on a free port.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from data_manager.process_groups import free_port

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "designer" / "dist"
SAMPLE_LOCATION = "sql_sync"
SAMPLE_INSTANCE = "shop_sync"


def initial_bundle_gzip_bytes(dist: Path) -> int:
    """index.html plus every asset it references directly (entry script, CSS, modulepreloads), each gzipped."""
    index = (dist / "index.html").read_text()
    referenced = sorted(set(re.findall(r'(?:src|href)="/designer/(assets/[^"]+)"', index)))
    files = [dist / "index.html", *(dist / name for name in referenced)]
    return sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in files)


def wait_for_api(url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"error: data-manager api exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit(f"error: data-manager api did not answer within {timeout_s:.0f}s")


def main() -> None:
    from designer_write_bench import measure_writes

    if "--server-only" in sys.argv[1:]:
        print(json.dumps(measure_writes(REPO)))
        return
    if not (DIST / "index.html").is_file():
        sys.exit("error: designer/dist is missing: run make designer-build")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATA_PLATFORM_HOME": str(REPO)}
    env.pop("PLATFORM_API_TOKEN", None)
    api = subprocess.Popen(
        [sys.executable, "-m", "data_manager.cli", "api", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_api(url, api)
        print("warming the component catalog and the sample preview…", file=sys.stderr)
        httpx.get(f"{url}/api/designer/components", timeout=900).raise_for_status()
        preview = httpx.get(f"{url}/api/designer/locations/{SAMPLE_LOCATION}/preview", timeout=900)
        preview.raise_for_status()
        if not preview.json()["ok"]:  # the page would wait for asset rows that never come
            failed = [e["message"] for f in preview.json()["failed"] for e in f["errors"]]
            sys.exit(f"error: the preview of {SAMPLE_LOCATION} failed: {'; '.join(failed)[:300]}")
        browser = subprocess.run(
            ["node", str(REPO / "scripts" / "bench_designer.mjs"), url, SAMPLE_LOCATION, SAMPLE_INSTANCE],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if browser.returncode != 0:
            sys.exit(f"error: the browser benchmark failed: {browser.stderr.strip().splitlines()[-1:]}")
        measured = json.loads(browser.stdout.strip().splitlines()[-1])
    finally:
        api.terminate()
        api.wait(timeout=15)
    result = {"initial_bundle_gzip_kb": round(initial_bundle_gzip_bytes(DIST) / 1024, 1), **measured}
    print(json.dumps({**result, **measure_writes(REPO)}))


if __name__ == "__main__":
    main()
