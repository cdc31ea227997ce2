"""Where a location's files are, and the one gate every user-given name or path passes.

Folders come from `data_manager.locations.model.Location` (project folder with dg.toml, package, defs/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from data_manager.designer.problems import NOT_FOUND, DesignerError, Problem
from data_manager.locations.model import Location
from data_manager.locations.registry import CodeLocation, name_problem
from data_manager.locations.registry_store import load_registry
from data_manager.paths import ProjectPaths

SEGMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_DEPTH = 8
ROUTE_WORDS = ("validate", "references", "rename", "duplicate")  # /components/{path}/<word> routes


@dataclass(frozen=True)
class LocationLayout:
    paths: ProjectPaths
    location: CodeLocation
    project_dir: Path
    package_dir: Path

    @property
    def name(self) -> str:
        return self.location.name

    @property
    def defs_dir(self) -> Path:
        return self.package_dir / "defs"

    def relative(self, path: Path) -> str:
        """A path as the API shows it: relative to the project home, POSIX separators."""
        return path.relative_to(self.paths.home).as_posix()

    def instance_dir(self, instance_path: str) -> Path:
        """The folder of a component instance, `instance_path` relative to defs/, checked (see `check_instance_path`)."""
        return self.defs_dir.joinpath(*check_instance_path(instance_path).parts)

    def ensure_inside(self, path: Path) -> Path:
        """Refuse anything that resolves (through symlinks) outside the location's project folder."""
        for parent in [path, *path.parents]:
            if parent == self.project_dir:
                break
            if parent.is_symlink():
                raise DesignerError([f"{self.relative(parent)} is a symlink; the designer does not follow symlinks"])
        root = self.project_dir.resolve()
        resolved = path.resolve()
        if resolved != root and root not in resolved.parents:
            raise DesignerError([f"{self.relative(path)} resolves outside location {self.name!r}"])
        return path


def path_problems(instance_path: str) -> list[str]:
    """Everything wrong with a component instance path such as `shop_sync` or `ingest/shop_sync`."""
    if not instance_path:
        return ["the path is empty"]
    if instance_path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", instance_path):
        return [f"{instance_path!r} is absolute; give a path relative to the location's defs/ folder"]
    if "\\" in instance_path:
        return [f"{instance_path!r} contains a backslash; separate folders with /"]
    parts = PurePosixPath(instance_path).parts
    problems = []
    if ".." in instance_path.split("/"):
        problems.append(f"{instance_path!r} contains '..'")
    if len(parts) > MAX_DEPTH:
        problems.append(f"{instance_path!r} is deeper than {MAX_DEPTH} folders")
    problems += [
        f"{part!r} in {instance_path!r} is not a Python identifier (letters, digits, _)"
        for part in parts
        if part != ".." and not SEGMENT.match(part)
    ]
    if parts and parts[-1] in ROUTE_WORDS:
        problems.append(f"{instance_path!r} ends in {parts[-1]!r}, a word the designer's routes use; pick another name")
    return problems


def check_instance_path(instance_path: str) -> PurePosixPath:
    problems = path_problems(instance_path)
    if problems:
        raise DesignerError([Problem(problem, path=("path",)) for problem in problems])
    return PurePosixPath(instance_path)


def location_layout(paths: ProjectPaths, name: str) -> LocationLayout:
    """The layout of a registered location whose package folder exists."""
    registry = load_registry(paths.registry)
    location = registry.get(name) if not name_problem(name) else None
    if location is None:
        known = ", ".join(loc.name for loc in registry.code_locations) or "none"
        raise DesignerError([f"unknown location {name!r}; registered: {known}"], kind=NOT_FOUND)
    project_dir = paths.location_dir(name)
    if not project_dir.is_dir():
        raise DesignerError([f"location {name!r} has no folder {project_dir.relative_to(paths.home)}"], kind=NOT_FOUND)
    model = Location.from_entry(location, paths)
    return LocationLayout(paths, location, model.project_dir, model.package_dir)
