"""Helpers for platform tests: throw-away project homes and the CLI run as a user runs it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

REPO_ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def poll(fetch: Callable[[], T], done: Callable[[T], bool], what: str, timeout_s: float, interval_s: float = 0.5) -> T:
    """`fetch()` every `interval_s` until `done` accepts its value; AssertionError naming `what` otherwise."""
    deadline = time.monotonic() + timeout_s
    value = fetch()
    while not done(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} after {timeout_s:.0f}s: {value}")
        time.sleep(interval_s)
        value = fetch()
    return value


def make_home(root: Path, registry: dict | None = None) -> Path:
    """A minimal project home: registry, platform/dagster.yaml, an importable dagster_code package."""
    (root / "platform").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO_ROOT / "platform" / "dagster.yaml", root / "platform" / "dagster.yaml")
    (root / "app" / "dagster_code").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO_ROOT / "app" / "dagster_code" / "__init__.py", root / "app" / "dagster_code" / "__init__.py")
    (root / "external-connectors").mkdir(exist_ok=True)
    shutil.copyfile(REPO_ROOT / ".env.example", root / ".env.example")
    (root / "code-locations.json").write_text(json.dumps(registry or {"code_locations": [], "config": {}}, indent=2))
    return root


def run_cli(home: Path, *args: str, env: dict[str, str] | None = None, stdin: str | None = None):
    environment = {**os.environ, "DATA_PLATFORM_HOME": str(home), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "data_manager.cli", *args],
        capture_output=True, text=True, env=environment, input=stdin, timeout=300,
    )  # fmt: skip


def tree_digest(root: Path) -> str:
    """A hash of every file path and content under `root`, to prove that nothing changed."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or ".data" in path.parts:
            continue
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()
