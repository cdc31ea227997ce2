"""Where everything lives, relative to one project root.

The root is `$DATA_PLATFORM_HOME` when set, else the nearest directory above the
current one that holds `code-locations.json`, else the repository this package
was installed from. Tests point it at a temporary copy. Paths taken from settings
(`EXTERNAL_CONNECTORS_DIR`, `AIRBYTE_INSTALL_DIR`, ...) start at that root when relative,
so a code server, the CLI and the tests find the same folders wherever they started.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from data_manager.settings import env

REGISTRY_FILENAME = "code-locations.json"
_PACKAGE_REPO_ROOT = Path(__file__).resolve().parents[2]


def find_home(start: Path | None = None) -> Path:
    configured = env("DATA_PLATFORM_HOME")
    if configured:
        return Path(configured).resolve()
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / REGISTRY_FILENAME).is_file():
            return candidate
    return _PACKAGE_REPO_ROOT


@dataclass(frozen=True)
class ProjectPaths:
    home: Path
    data: Path | None = None  # the data dir, when not `DATA_PLATFORM_DATA_DIR` or <home>/.data

    @classmethod
    def discover(cls) -> ProjectPaths:
        return cls(find_home())

    @property
    def registry(self) -> Path:
        return self.home / REGISTRY_FILENAME

    @property
    def platform_dir(self) -> Path:
        return self.home / "platform"

    @property
    def workspace_yaml(self) -> Path:
        return self.platform_dir / "workspace.yaml"

    @property
    def dagster_yaml(self) -> Path:
        return self.platform_dir / "dagster.yaml"

    @property
    def app_dir(self) -> Path:
        return self.home / "app"

    @property
    def designer_dist(self) -> Path:
        """The built designer web app (`make designer-build`), served by the platform API at /designer/."""
        return self.home / "designer" / "dist"

    @property
    def code_dir(self) -> Path:
        return self.app_dir / "dagster_code"

    def location_dir(self, name: str) -> Path:
        return self.code_dir / name

    @property
    def connectors_dir(self) -> Path:
        """`EXTERNAL_CONNECTORS_DIR` (relative to the home)."""
        return path_setting("EXTERNAL_CONNECTORS_DIR", self.home)

    @property
    def dbt_dir(self) -> Path:
        return self.home / "dbt_models"

    @property
    def env_example(self) -> Path:
        return self.home / ".env.example"

    @property
    def data_dir(self) -> Path:
        """Local state for `make dev`: embedded Postgres, DAGSTER_HOME, logs. Git-ignored.

        `DATA_PLATFORM_DATA_DIR` moves it (tests run isolated stacks side by side).
        """
        if self.data is not None:
            return self.data
        configured = env("DATA_PLATFORM_DATA_DIR")
        return Path(configured).resolve() if configured else self.home / ".data"


def project_root() -> Path:
    """The project home (`DATA_PLATFORM_HOME`, else found from the working directory or this package)."""
    return find_home()


def path_setting(name: str, home: Path | None = None) -> Path:
    """The path in setting `name` (or its default); relative paths start at the project home."""
    path = Path(env(name)).expanduser()
    return path if path.is_absolute() else (home or project_root()) / path


def connectors_dir() -> Path:
    return path_setting("EXTERNAL_CONNECTORS_DIR")


def airbyte_install_dir() -> Path:
    """Root of PyAirbyte's connector venvs (`<dir>/.venv-<connector>`), kept so reruns reuse installs."""
    return path_setting("AIRBYTE_INSTALL_DIR")
