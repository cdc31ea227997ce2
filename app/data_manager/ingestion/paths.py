"""Where ingestion finds its files: paths from the environment, relative ones anchored at the repo root.

Anchoring at the repo root (not the working directory) means a code server, the CLI and the tests
all find the same `external-connectors/` folder wherever they were started from.
"""

from __future__ import annotations

from pathlib import Path

from data_manager.settings import env

REPO_ROOT = Path(__file__).resolve().parents[3]


def path_from_env(name: str) -> Path:
    """The path in environment variable `name` (or its default); relative paths start at the repo root."""
    path = Path(env(name)).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def connectors_dir() -> Path:
    return path_from_env("EXTERNAL_CONNECTORS_DIR")


def airbyte_install_dir() -> Path:
    """Root of PyAirbyte's connector venvs (`<dir>/.venv-<connector>`), kept so reruns reuse installs."""
    return path_from_env("AIRBYTE_INSTALL_DIR")
