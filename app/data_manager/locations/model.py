"""A code location as one object: everything about it is derived from its name and registry entry.

Layout of location `<name>` (a dg project, so Dagster's `dg` CLI works inside it):

    app/dagster_code/<name>/                      project folder: dg.toml, tests/, examples/
    app/dagster_code/<name>/src/dagster_code/<name>/   the package (`defs`), imported as dagster_code.<name>
    app/dagster_code/<name>/src/dagster_code/<name>/defs/   component instances (one folder per defs.yaml)
    dbt_models/models/{staging,reporting}/<name>/  its dbt models

Its assets are in group `<name>` and its job is `<name>_pipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from data_manager.dbt.layout import dbt_paths_for_location, dbt_select_for_location
from data_manager.errors import UserError
from data_manager.locations.registry import PACKAGE_ROOT, CodeLocation, default_module
from data_manager.locations.registry_store import load_registry
from data_manager.paths import ProjectPaths

DG_PROJECT_FILE = "dg.toml"


@dataclass(frozen=True)
class Location:
    """One code location. Build it with `from_entry`, `named` or `for_module`; ask it, never re-derive."""

    name: str
    paths: ProjectPaths
    entry: CodeLocation | None = None

    @classmethod
    def from_entry(cls, entry: CodeLocation, paths: ProjectPaths | None = None) -> Location:
        return cls(entry.name, paths or ProjectPaths.discover(), entry)

    @classmethod
    def named(cls, name: str, paths: ProjectPaths | None = None) -> Location:
        """Location `name` with its registry entry (None while it is not registered)."""
        paths = paths or ProjectPaths.discover()
        entry = load_registry(paths.registry).get(name) if paths.registry.is_file() else None
        return cls(name, paths, entry)

    @classmethod
    def for_module(cls, module: str, paths: ProjectPaths | None = None) -> Location:
        """The location whose package is `module` (`dagster_code.<name>`): what a package asks about itself."""
        package, _, name = module.partition(".")
        if package != PACKAGE_ROOT or not name or "." in name:
            raise UserError(f"{module!r} is not a location package: expected {default_module('<name>')}")
        return cls(name, paths or ProjectPaths.discover())

    @classmethod
    def for_path(cls, path: str | Path) -> Location:
        """The location whose project folder holds `path` (a test file, a defs.yaml...)."""
        here = Path(path).resolve()
        for folder in (here, *here.parents):
            if (folder / DG_PROJECT_FILE).is_file() and folder.parent.name == PACKAGE_ROOT:
                return cls.named(folder.name, ProjectPaths(folder.parents[2]))
        raise UserError(f"{path} is not inside a code location's project folder")

    # --- identity -------------------------------------------------------------------------
    @property
    def module(self) -> str:
        """The module code servers load (`-m`): the registry's, by default `dagster_code.<name>`."""
        return self.entry.module if self.entry else default_module(self.name)

    @property
    def port(self) -> int:
        if self.entry is None:
            raise UserError(f"location {self.name!r} is not in {self.paths.registry.name}")
        return self.entry.port

    @property
    def group_name(self) -> str:
        """Group of every asset of the location unless its YAML sets another one."""
        return self.name

    @property
    def job_name(self) -> str:
        """`<name>_pipeline`: syncs the location's sources, then builds its dbt models."""
        return f"{self.name}_pipeline"

    # --- files ----------------------------------------------------------------------------
    @property
    def project_dir(self) -> Path:
        """The dg project folder (dg.toml): run `dg` here."""
        return self.paths.location_dir(self.name)

    @property
    def package_dir(self) -> Path:
        return self.project_dir.joinpath("src", *self.module.split("."))

    @property
    def defs_dir(self) -> Path:
        return self.package_dir / "defs"

    @property
    def tests_dir(self) -> Path:
        return self.project_dir / "tests"

    @property
    def dg_project_file(self) -> Path:
        return self.project_dir / DG_PROJECT_FILE

    @property
    def dbt_dirs(self) -> list[Path]:
        """Its two folders of the platform's dbt project, whether or not they exist yet."""
        return dbt_paths_for_location(self.paths.dbt_dir, self.name)

    @property
    def dbt_select(self) -> str:
        return dbt_select_for_location(self.name)

    def component_files(self) -> list[Path]:
        """Every `defs.yaml` of the location's component instances."""
        return sorted(self.defs_dir.rglob("defs.yaml")) if self.defs_dir.is_dir() else []

    def connector_files(self) -> list[Path]:
        """The connector YAML files (external-connectors/) its components read, with their manifests."""
        found: set[Path] = set()
        for component_file in self.component_files():
            try:
                attributes = (yaml.safe_load(component_file.read_text()) or {}).get("attributes") or {}
            except yaml.YAMLError:
                continue
            connector = attributes.get("connector") if isinstance(attributes, dict) else None
            if not isinstance(connector, str):
                continue
            main = self.paths.connectors_dir / f"{connector}.yaml"
            if main.is_file():
                found.add(main)
                manifest = (yaml.safe_load(main.read_text()) or {}).get("manifest")
                if isinstance(manifest, str) and (self.paths.connectors_dir / manifest).is_file():
                    found.add(self.paths.connectors_dir / manifest)
        return sorted(found)


def registered_locations(paths: ProjectPaths | None = None, *, enabled_only: bool = False) -> list[Location]:
    """Every location of the registry, in its order."""
    paths = paths or ProjectPaths.discover()
    registry = load_registry(paths.registry)
    entries = registry.enabled if enabled_only else registry.code_locations
    return [Location.from_entry(entry, paths) for entry in entries]
