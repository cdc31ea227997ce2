#!/usr/bin/env python
"""Benchmark the platform API's designer routes on a throw-away copy of the repository (committed files).

Starts `data-manager api` on a free port and measures: the components catalog warm (p50/p95 of --repeat
GETs; targets p95 <= 20 ms), the preview of the sql_sync sample cold (dg list defs; <= 3 s) and with its files
unchanged (p95; <= 100 ms), and an attribute update with its schema validation (<= 3 s), plus `dg check yaml`
after it. Prints one JSON line; progress goes to stderr. Run `data-manager dbt prepare` first
(`make bench-api` does).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from data_manager.api.readiness import wait_until_healthy
from data_manager.process_groups import free_port, stop_group

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests"))  # copy_prepared_files is test support
from prepared_files import copy_prepared_files  # noqa: E402

LOCATION = "sql_sync"
INSTANCE = "shop_sync"


def log(message: str) -> None:
    print(f"bench-api: {message}", file=sys.stderr, flush=True)


def copy_committed(target: Path) -> None:
    """HEAD's files, the prepared dbt manifest and an existing catalog cache (same uv.lock, same catalog)."""
    archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=REPO_ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    copy_prepared_files(REPO_ROOT, target)


def timed(call) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    if response.status_code >= 400:
        raise SystemExit(
            f"bench-api: {response.request.method} {response.request.url} -> {response.status_code}: {response.text[:300]}"
        )
    return elapsed, response


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="requests per warm measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        home = Path(tmp)
        copy_committed(home)
        port = free_port()
        environment = {**os.environ, "DATA_PLATFORM_HOME": str(home), "PLATFORM_API_TOKEN": ""}
        process = subprocess.Popen(
            [sys.executable, "-m", "data_manager.cli", "api", "--port", str(port)],
            env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            start_s = wait_until_healthy(f"http://127.0.0.1:{port}", timeout_s=120, process=process)
            base = f"http://127.0.0.1:{port}/api/designer"
            with httpx.Client(timeout=900) as client:
                log("catalog (first request builds it unless cached)")
                first_s, _ = timed(lambda: client.get(f"{base}/components"))
                catalog = [timed(lambda: client.get(f"{base}/components"))[0] for _ in range(args.repeat)]
                log("preview cold (dg list defs)")
                cold_s, _ = timed(lambda: client.get(f"{base}/locations/{LOCATION}/preview", params={"refresh": True}))
                warm = [
                    timed(lambda: client.get(f"{base}/locations/{LOCATION}/preview"))[0] for _ in range(args.repeat)
                ]
                log("attribute update + validation")
                current = client.get(f"{base}/locations/{LOCATION}/components/{INSTANCE}").json()["attributes"]
                changed = {**current, "tables": [*current["tables"]][::-1]}
                update_s, _ = timed(
                    lambda: client.put(
                        f"{base}/locations/{LOCATION}/components/{INSTANCE}", json={"attributes": changed}
                    )
                )
                check_s, check = timed(lambda: client.post(f"{base}/locations/{LOCATION}/check", json={"defs": False}))
        finally:
            stop_group(process, grace_s=5)
    result = {
        "api_start_s": round(start_s, 2),
        "catalog_first_s": round(first_s, 3),
        "catalog_warm_p50_ms": round(statistics.median(catalog) * 1000, 2),
        "catalog_warm_p95_ms": round(p95(catalog) * 1000, 2),
        "preview_cold_s": round(cold_s, 2),
        "preview_warm_p95_ms": round(p95(warm) * 1000, 2),
        "update_validate_s": round(update_s, 3),
        "update_dg_check_yaml_s": round(check_s, 2),
        "check_ok": check.json()["ok"],
        "targets": {"catalog_warm_p95_ms": 20, "preview_cold_s": 3, "preview_warm_p95_ms": 100, "update_validate_s": 3},
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
