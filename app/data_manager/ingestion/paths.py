"""Where ingestion finds its files: paths from the environment, relative ones anchored at the repo root.

Anchoring at the repo root (not the working directory) means a code server, the CLI and the tests
all find the same `external-connectors/` folder wherever they were started from.
"""

from __future__ import annotations

from pathlib import Path

from data_manager.paths import find_home
from data_manager.settings import env


def project_root() -> Path:
    """The project home (`DATA_PLATFORM_HOME`, else found from the working directory or this package)."""
    return find_home()


def path_from_env(name: str) -> Path:
    """The path in environment variable `name` (or its default); relative paths start at the project root."""
    path = Path(env(name)).expanduser()
    return path if path.is_absolute() else project_root() / path


def connectors_dir() -> Path:
    return path_from_env("EXTERNAL_CONNECTORS_DIR")


def airbyte_install_dir() -> Path:
    """Root of PyAirbyte's connector venvs (`<dir>/.venv-<connector>`), kept so reruns reuse installs."""
    return path_from_env("AIRBYTE_INSTALL_DIR")
