"""`make install` checks the system packages: installs missing ones as root, else one line and exit 2."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from platform_support import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "system_packages.sh"
NEEDED = ["unixodbc", "odbc-postgresql", "tesseract-ocr", "chromium", "redis-server"]


def fake_tools(folder: Path, installed: list[str], uid: int) -> dict[str, str]:
    """A PATH where dpkg-query knows only `installed` and `id -u` prints `uid` (no apt-get run)."""
    folder.mkdir()
    known = " ".join(installed)
    (folder / "dpkg-query").write_text(
        f'#!/bin/bash\nfor p in {known}; do [[ "${{@: -1}}" == "$p" ]] && echo "install ok installed" && exit 0; done\nexit 1\n'
    )
    (folder / "dpkg").write_text("#!/bin/bash\nexit 0\n")
    (folder / "id").write_text(f"#!/bin/bash\necho {uid}\n")
    for tool in folder.iterdir():
        tool.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}:/usr/bin:/bin", "SKIP_SYSTEM_PACKAGES": ""}


def test_missing_packages_without_root_stop_with_one_line_naming_them(tmp_path: Path) -> None:
    env = fake_tools(tmp_path / "bin", installed=["chromium"], uid=1000)
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, env=env)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: missing system packages: unixodbc odbc-postgresql tesseract-ocr")
    assert "sudo apt-get install -y --no-install-recommends unixodbc" in line


def test_nothing_to_do_when_everything_is_installed(tmp_path: Path) -> None:
    env = fake_tools(tmp_path / "bin", installed=[*NEEDED, "docker-compose"], uid=1000)
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, env=env)
    assert (result.returncode, result.stderr) == (0, "")


def test_make_install_runs_the_check_first() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text()
    install = makefile.split("\ninstall:", 1)[1].split("\n\n", 1)[0]
    assert install.splitlines()[1].strip() == "@scripts/system_packages.sh"
    for package in NEEDED:
        assert package in SCRIPT.read_text()
