"""Where the dbt project and each location's dbt files live. Pure path logic, no dbt imports.

Every code location `<name>` owns exactly two folders of the dbt project:

    dbt_models/models/staging/<name>/     sources.yml, staging_*.sql, schema.yml
    dbt_models/models/reporting/<name>/   *_reporting.sql, schema.yml

The top folder decides the schema (see dbt_project.yml), so a location is added or removed
without touching shared dbt files, and its models are selected by path.
"""

from __future__ import annotations

import os
from pathlib import Path

from data_manager.errors import UserError

DBT_DIR_NAME = "dbt_models"
SCHEMA_FOLDERS = ("staging", "reporting")
REGISTRY_FILE = "code-locations.json"
HOME_ENV = "DATA_PLATFORM_HOME"


def dbt_paths_for_location(dbt_dir: Path, name: str) -> list[Path]:
    """The folders holding location `name`'s dbt files, whether or not they exist yet.

    `remove-code-location PURGE=1` deletes these; templates create them.
    """
    return [dbt_dir / "models" / folder / name for folder in SCHEMA_FOLDERS]


def dbt_select_for_location(name: str) -> str:
    """dbt selection string picking only location `name`'s models (and their tests)."""
    return " ".join(f"path:models/{folder}/{name}" for folder in SCHEMA_FOLDERS)


def find_repo_root(start: Path | None = None) -> Path:
    """The repository root: $DATA_PLATFORM_HOME, else the first parent of this file (editable install)
    or of the working directory holding code-locations.json or dbt_models/dbt_project.yml."""
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home).expanduser().resolve()
        if not (root / DBT_DIR_NAME).is_dir():
            raise UserError(f"{HOME_ENV}={root} does not contain a {DBT_DIR_NAME}/ folder")
        return root
    here = (start or Path(__file__)).resolve()
    cwd = Path.cwd().resolve()
    for candidate in [here, *here.parents, cwd, *cwd.parents]:
        if (candidate / REGISTRY_FILE).is_file() or (candidate / DBT_DIR_NAME / "dbt_project.yml").is_file():
            return candidate
    raise UserError(
        f"cannot find the repository root above {here} or {cwd}: set {HOME_ENV} to the folder holding {REGISTRY_FILE}"
    )


def dbt_project_dir() -> Path:
    """The dbt project folder (dbt_models/ at the repository root)."""
    return find_repo_root() / DBT_DIR_NAME


def manifest_path(project_dir: Path | None = None) -> Path:
    """Where `data-manager dbt prepare` writes the manifest the code locations load."""
    return (project_dir or dbt_project_dir()) / "target" / "manifest.json"
