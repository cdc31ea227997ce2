"""`dg check defs` on a location as it would be after a file change, without writing into the location.

The location's project folder is copied into a scratch home (`<scratch>/app/dagster_code/<name>/`, beside a copy
of the `dagster_code` package file that finds projects' `src/`), the changed file is written there, and dg
imports that copy first. Problems name files as the API shows them (relative to the home).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from data_manager.designer import dg
from data_manager.designer.dg_output import problems_from_output
from data_manager.designer.files import SKIPPED_DIRS
from data_manager.designer.layout import LocationLayout
from data_manager.designer.problems import Problem

CHECK_TIMEOUT_S = 300.0


def defs_problems_with(layout: LocationLayout, changed: Path, content: str) -> list[Problem]:
    """Problems `dg check defs` finds once `changed` (a file of the location's project folder) holds `content`."""
    with tempfile.TemporaryDirectory(prefix="designer-check-") as scratch:
        scratch_home = Path(scratch)
        package_root = layout.project_dir.parent
        staged_root = scratch_home / package_root.relative_to(layout.paths.home)
        staged_project = staged_root / layout.project_dir.name
        shutil.copytree(layout.project_dir, staged_project, ignore=shutil.ignore_patterns(*SKIPPED_DIRS), symlinks=True)
        shutil.copy2(package_root / "__init__.py", staged_root / "__init__.py")
        staged_file = staged_project / changed.relative_to(layout.project_dir)
        staged_file.parent.mkdir(parents=True, exist_ok=True)
        staged_file.write_text(content)
        result = dg.run(
            layout.paths, staged_project, ["check", "defs"], CHECK_TIMEOUT_S, code_first=[staged_root.parent]
        )
        if result.ok:
            return []
        return problems_from_output(result.stdout + "\n" + result.stderr, scratch_home) or [
            Problem(f"dg check defs failed: {result.last_error_line()}")
        ]
