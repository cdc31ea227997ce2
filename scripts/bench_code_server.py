#!/usr/bin/env python
"""Benchmark one code server: seconds until it serves its location, and RSS with its children.

Measures, in both CODE_SERVER_MODEs: an empty location (the machine's baseline), a location built
only from the sync components (sql_sync's SqlTableSyncComponent YAML, no dbt), and the repository's
sample locations, which add dbt assets (dagster_dbt imports dbt-core). Prints one JSON line:
{"results": [{"location": ..., "mode": "proxy"|"direct", "load_s": ..., "rss_mb": ...}, ...]}
with the best of --repeat starts per entry. Progress goes to stderr. Run `data-manager dbt prepare` first
(`make bench-code-server` does).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from data_manager.control.health import wait_until_serving
from data_manager.locations.model import Location
from data_manager.paths import ProjectPaths
from data_manager.process_groups import free_port, stop_group

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ("airbyte_sync", "sample_product_sync", "sql_sync")
COMMANDS = {"proxy": ["code-server", "start"], "direct": ["api", "grpc"]}
EMPTY_LOCATION = """import dagster as dg


@dg.asset
def example() -> int:
    return 1


defs = dg.Definitions(assets=[example])
"""
COMPONENTS_LOCATION = """import importlib
from pathlib import Path

import dagster as dg


@dg.definitions
def definitions() -> dg.Definitions:
    defs_module = importlib.import_module(f"{__name__}.defs")
    tree = dg.ComponentTree.from_module(defs_module=defs_module, project_root=Path(__file__).parent)
    return tree.build_defs(Path(defs_module.__path__[0]))
"""


def write_components_location(root: Path) -> None:
    """A package whose only definitions are the sql_sync sample's component YAML."""
    package = root / "bench_components_location"
    (package / "defs" / "shop").mkdir(parents=True)
    (package / "__init__.py").write_text(COMPONENTS_LOCATION)
    (package / "defs" / "__init__.py").write_text("")
    source = Location.named("sql_sync", ProjectPaths(REPO_ROOT)).defs_dir / "shop_sync" / "defs.yaml"
    (package / "defs" / "shop" / "defs.yaml").write_text(source.read_text())


def log(message: str) -> None:
    print(f"[bench-code-server] {message}", file=sys.stderr, flush=True)


def start_and_measure(module: str, mode: str, env: dict[str, str]) -> tuple[float, float]:
    """Start a code server for `module`; return (seconds until it is SERVING, RSS MB of the tree)."""
    port = free_port()
    command = [sys.executable, "-m", "dagster", *COMMANDS[mode], "-m", module, "-h", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(
        command, env=env, cwd=REPO_ROOT / "app", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        seconds = wait_until_serving("127.0.0.1", port, timeout_s=120, process=process)
        time.sleep(1)  # let memory settle after loading
        root = psutil.Process(process.pid)
        rss = sum(member.memory_info().rss for member in [root, *root.children(recursive=True)]) / 2**20
        return seconds, rss
    finally:
        stop_group(process, grace_s=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2, help="starts per location and mode; the best counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "bench_empty_location.py").write_text(EMPTY_LOCATION)
        write_components_location(Path(scratch))
        env = {
            **os.environ,
            "DATA_PLATFORM_HOME": str(REPO_ROOT),
            "PYTHONPATH": os.pathsep.join(filter(None, [scratch, os.environ.get("PYTHONPATH")])),
        }
        results = []
        locations = [("empty", "bench_empty_location"), ("components", "bench_components_location")]
        for location, module in locations + [(sample, f"dagster_code.{sample}") for sample in SAMPLES]:
            for mode in COMMANDS:
                runs = [start_and_measure(module, mode, env) for _ in range(args.repeat)]
                seconds, rss = min(s for s, _ in runs), max(r for _, r in runs)
                log(f"{location} ({mode}): {seconds:.2f}s, {rss:.0f} MB")
                results.append({"location": location, "mode": mode, "load_s": round(seconds, 2), "rss_mb": round(rss)})
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
