"""Build products a fresh copy of the repository can reuse: the dbt manifest and the component catalog cache
(same uv.lock and components, same catalog). Benchmarks and tests on throw-away copies start from them."""

from __future__ import annotations

import shutil
from pathlib import Path

PREPARED = ("dbt_models/target/manifest.json", ".data/cache/designer/catalog-*.json")


def copy_prepared_files(source_home: Path, target_home: Path) -> list[Path]:
    copied = []
    for pattern in PREPARED:
        for source in source_home.glob(pattern):
            destination = target_home / source.relative_to(source_home)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
            copied.append(destination)
    return copied
