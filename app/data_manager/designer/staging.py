"""A location as it would be after a change, in a scratch home, for dg (and dbt) to judge before anything is
written into the real one.

The scratch home is a farm of symlinks to the real home's entries, except the parts a change touches, which are
copies: the location's project folder (`app/dagster_code/<name>/`, beside a copy of the `dagster_code` package
file that finds projects' `src/`) and, when dbt files change, `dbt_models/`. dg runs there with
`DATA_PLATFORM_HOME` at the scratch home, so the location's code, its registry and its dbt manifest are the
staged ones. Paths dg prints are relative to the scratch home, i.e. as the API shows them.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from data_manager.designer.files import SKIPPED_DIRS
from data_manager.designer.layout import LocationLayout
from data_manager.paths import ProjectPaths

SKIPPED_ENTRIES = {".git", "node_modules"}
DBT_STATE = ("target/manifest.json", "target/partial_parse.msgpack")
DBT_LINKED = ("dbt_packages",)  # installed packages: linked, not copied


@dataclass(frozen=True)
class StagedHome:
    layout: LocationLayout
    home: Path
    dbt_changed: bool

    @property
    def paths(self) -> ProjectPaths:
        return ProjectPaths(self.home, self.layout.paths.data_dir)

    @property
    def project_dir(self) -> Path:
        return self.staged(self.layout.project_dir)

    @property
    def defs_dir(self) -> Path:
        return self.staged(self.layout.defs_dir)

    def staged(self, real: Path) -> Path:
        return self.home / real.relative_to(self.layout.paths.home)


def _copies(layout: LocationLayout, changes: Mapping[Path, bytes | None]) -> tuple[bool, list[Path]]:
    """(dbt files change, the real folders to copy); every changed path must lie in one of them."""
    dbt_dir = layout.paths.dbt_dir
    dbt_changed = any(dbt_dir in path.parents for path in changes)
    outside = [
        path
        for path in changes
        if layout.project_dir not in path.parents and not (dbt_changed and dbt_dir in path.parents)
    ]
    if outside:
        raise ValueError(f"cannot stage changes outside the location and dbt_models: {outside}")
    return dbt_changed, [layout.project_dir, *([dbt_dir] if dbt_changed else [])]


def _farm(real: Path, staged: Path, copied: list[Path]) -> None:
    """`staged` mirrors `real`: copied folders are copied, folders above them are farms, the rest symlinks."""
    staged.mkdir(parents=True, exist_ok=True)
    for entry in sorted(real.iterdir()):
        if entry.name in SKIPPED_ENTRIES:
            continue
        target = staged / entry.name
        if entry in copied:
            ignore = shutil.ignore_patterns(*SKIPPED_DIRS)
            shutil.copytree(entry, target, ignore=ignore, symlinks=True)
        elif any(entry in folder.parents for folder in copied):
            _farm(entry, target, copied)
        else:
            target.symlink_to(entry, target_is_directory=entry.is_dir())


def _copy_dbt_state(real_dbt: Path, staged_dbt: Path) -> None:
    """dbt's parse state (partial parsing makes `dbt parse` of the staged copy faster)."""
    for relative in DBT_STATE:
        source = real_dbt / relative
        if source.is_file():
            (staged_dbt / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, staged_dbt / relative)
    for name in DBT_LINKED:
        if (real_dbt / name).is_dir():
            (staged_dbt / name).symlink_to(real_dbt / name, target_is_directory=True)


@contextmanager
def staged_home(layout: LocationLayout, changes: Mapping[Path, bytes | None]) -> Iterator[StagedHome]:
    """A scratch home with `changes` (real path -> new bytes, or None to remove) applied; removed afterwards."""
    dbt_changed, copied = _copies(layout, changes)
    with tempfile.TemporaryDirectory(prefix="designer-stage-") as scratch:
        staged = StagedHome(layout, Path(scratch) / "home", dbt_changed)
        _farm(layout.paths.home, staged.home, copied)
        if dbt_changed:
            _copy_dbt_state(layout.paths.dbt_dir, staged.staged(layout.paths.dbt_dir))
        for real, content in changes.items():
            target = staged.staged(real)
            if content is None:
                if target.is_dir() and not target.is_symlink():
                    shutil.rmtree(target)
                else:
                    target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
        yield staged
