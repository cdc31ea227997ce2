"""Where the dbt project and each location's dbt files live. Pure path logic, no dbt imports.

Every code location `<name>` owns exactly two folders of the dbt project:

    dbt_models/models/staging/<name>/     sources.yml, staging_*.sql, schema.yml
    dbt_models/models/reporting/<name>/   *_reporting.sql, schema.yml

The top folder decides the schema (see dbt_project.yml), so a location is added or removed
without touching shared dbt files, and its models are selected by path.
"""

from __future__ import annotations

from pathlib import Path

from data_manager.errors import UserError
from data_manager.paths import REGISTRY_FILENAME, ProjectPaths

DBT_DIR_NAME = "dbt_models"
SCHEMA_FOLDERS = ("staging", "reporting")
HOME_ENV = "DATA_PLATFORM_HOME"


def dbt_paths_for_location(dbt_dir: Path, name: str) -> list[Path]:
    """The folders holding location `name`'s dbt files, whether or not they exist yet.

    `remove-code-location PURGE=1` deletes these; templates create them.
    """
    return [dbt_dir / "models" / folder / name for folder in SCHEMA_FOLDERS]


def dbt_select_for_location(name: str) -> str:
    """dbt selection string picking only location `name`'s models (and their tests)."""
    return " ".join(f"path:models/{folder}/{name}" for folder in SCHEMA_FOLDERS)


def dbt_project_dir() -> Path:
    """The dbt project folder: dbt_models/ in the project home (see `data_manager.paths`)."""
    dbt_dir = ProjectPaths.discover().dbt_dir
    if not dbt_dir.is_dir():
        raise UserError(
            f"no {DBT_DIR_NAME}/ folder at {dbt_dir.parent}: set {HOME_ENV} to the folder holding {REGISTRY_FILENAME}"
        )
    return dbt_dir


def manifest_path(project_dir: Path | None = None) -> Path:
    """Where `data-manager dbt prepare` writes the manifest the code locations load."""
    return (project_dir or dbt_project_dir()) / "target" / "manifest.json"
