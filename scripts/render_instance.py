"""Write the Dagster instance files of the images: `render_instance.py DEFAULT_HOME DOCKER_LAUNCHER_HOME`.

platform/dagster.yaml is the one instance definition. The docker-launcher home gets the same file with its
`run_launcher` replaced by platform/run-launcher-docker.yaml, so the two can never drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

PLATFORM = Path(__file__).resolve().parent.parent / "platform"


def instance_config(run_launcher: str = "default") -> dict:
    """The instance config for RUN_LAUNCHER `default` or `docker`."""
    config = yaml.safe_load((PLATFORM / "dagster.yaml").read_text())
    if run_launcher == "docker":
        config.update(yaml.safe_load((PLATFORM / "run-launcher-docker.yaml").read_text()))
    elif run_launcher != "default":
        raise ValueError(f"RUN_LAUNCHER must be default or docker, not {run_launcher!r}")
    return config


def main(default_home: str, docker_home: str) -> None:
    for home, launcher in ((default_home, "default"), (docker_home, "docker")):
        path = Path(home) / "dagster.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        header = f"# Rendered by scripts/render_instance.py from platform/ (run launcher: {launcher}).\n"
        path.write_text(header + yaml.safe_dump(instance_config(launcher), sort_keys=False))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: render_instance.py DEFAULT_HOME DOCKER_LAUNCHER_HOME")
    main(sys.argv[1], sys.argv[2])
