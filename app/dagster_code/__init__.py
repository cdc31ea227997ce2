"""Code locations: each folder here is a dg project, `<name>/src/dagster_code/<name>/` its package.

dg resolves a project's module below the project's own folder, so each package lives in its
project's `src/`; adding those folders to this package's path keeps `import dagster_code.<name>`
working without installing anything when a location is added.
"""

from pathlib import Path

__path__ = [*__path__, *(str(src) for src in sorted(Path(__file__).parent.glob("*/src/dagster_code")))]
