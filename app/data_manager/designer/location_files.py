"""Which files are one location's: its project folder, the connectors and dbt files it owns.

Export and git work on exactly these (ownership is read from the location's own YAML, as `--purge` does).
"""

from __future__ import annotations

from pathlib import Path

from data_manager.designer.files import walk_files
from data_manager.designer.layout import LocationLayout
from data_manager.locations.ownership import owned_resources


def owned_roots(layout: LocationLayout) -> list[Path]:
    """The project folder first, then owned connector files and dbt folders/files, all under the home."""
    owned = owned_resources(layout.paths, layout.name)
    return [layout.project_dir, *owned.connector_files, *owned.dbt_paths]


def owned_files(layout: LocationLayout) -> list[Path]:
    files: list[Path] = []
    for root in owned_roots(layout):
        if root.is_symlink():
            continue
        files += list(walk_files(root)) if root.is_dir() else [root] if root.is_file() else []
    return sorted(set(files))
