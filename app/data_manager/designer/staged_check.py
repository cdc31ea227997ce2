"""The one check every designer write passes before it lands: `dg check defs` on the location as it would be
after the change (and `dbt parse` first when dbt files change), in a staged scratch home (see `staging`).

Problems name files as the API shows them (relative to the home) and the component each belongs to; a pydantic
error of a component's attributes gets the line of its key in that component's defs.yaml.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from data_manager.dbt.layout import manifest_path
from data_manager.designer import yaml_files
from data_manager.designer.dg import commands as dg_commands
from data_manager.designer.dg.output import clean, failed_output_problems
from data_manager.designer.layout import LocationLayout
from data_manager.designer.problems import DesignerError, Problem
from data_manager.designer.staging import StagedHome, staged_home

CHECK_TIMEOUT_S = 300.0
DBT_PREPARE_MODULE = "data_manager.control.dbt_cli"
DEFS_FILE = "defs.yaml"


def component_file(defs_dir: Path, component: str) -> Path:
    """The file dg names a component by: `shop_sync` -> defs/shop_sync/defs.yaml, `assets.py` -> defs/assets.py."""
    path = defs_dir.joinpath(*component.split("/"))
    return path if path.suffix == ".py" else path / DEFS_FILE


def _key_line(defs_file: Path, path: tuple[str | int, ...] | None) -> int | None:
    """The line of `path` (("attributes", "mode")) in a defs.yaml, or of its deepest existing parent."""
    try:
        documents = yaml_files.load_documents(defs_file.read_text())
    except (OSError, DesignerError):
        return None
    node = documents[0] if documents else None
    line = None
    for part in path or ():
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def component_of(file: str, defs_dir: Path, home: Path) -> str | None:
    """The component a file under defs/ belongs to: `defs/shop_sync/defs.yaml` -> `shop_sync`."""
    try:
        relative = (home / file).relative_to(defs_dir)
    except ValueError:
        return None
    return relative.parent.as_posix() if relative.name == DEFS_FILE else relative.as_posix()


def locate(problems: list[Problem], defs_dir: Path, home: Path) -> list[Problem]:
    """Each problem of a component gets that component's file (and the line of its field, when known), and a
    problem of a file under defs/ its component."""
    located = []
    for problem in problems:
        if problem.file and not problem.component:
            component = component_of(problem.file, defs_dir, home)
            problem = Problem(problem.message, problem.path, problem.file, problem.line, component)
        if problem.component and not problem.file:
            defs_file = component_file(defs_dir, problem.component)
            line = _key_line(defs_file, problem.path) if defs_file.suffix == ".yaml" else None
            file = defs_file.relative_to(home).as_posix()
            problem = Problem(problem.message, problem.path, file, line, problem.component)
        located.append(problem)
    return located


def _dbt_problems(staged: StagedHome) -> list[Problem]:
    dbt_dir = staged.paths.dbt_dir
    result = dg_commands.run(
        staged.paths, dbt_dir, ["prepare", "--project-dir", str(dbt_dir)], CHECK_TIMEOUT_S,
        python_module=DBT_PREPARE_MODULE,
    )  # fmt: skip
    if result.ok:
        return []
    lines = [line.strip() for line in clean(result.stderr or result.stdout).splitlines() if line.strip()]
    message = next((line for line in lines if line.startswith("error:")), lines[-1] if lines else "dbt parse failed")
    return [Problem(message.replace(str(staged.home) + "/", ""))]


@dataclass(frozen=True)
class StagedResult:
    problems: list[Problem]
    manifest: bytes | None = None  # the dbt manifest of the staged project, when dbt files changed and parsed
    beside: Any = None  # what `beside(staged)` returned (the preview of the location as it will be)


def staged_check(
    layout: LocationLayout,
    changes: Mapping[Path, bytes | None],
    beside: Callable[[StagedHome], Any] | None = None,
) -> StagedResult:
    """What `dg check defs` (after `dbt parse`, when dbt files change) says once `changes` are applied.

    `beside` runs on the same staged home at the same time as the check (a second warm fork): the writer
    computes the location's new preview there, so the answer after a write needs no more dg."""
    with staged_home(layout, changes) as staged:
        manifest = None
        if staged.dbt_changed:
            problems = _dbt_problems(staged)
            if problems:
                return StagedResult(problems)
            manifest = manifest_path(staged.paths.dbt_dir).read_bytes()
        with ThreadPoolExecutor(max_workers=1) as pool:
            extra = pool.submit(beside, staged) if beside is not None else None
            result = dg_commands.run(staged.paths, staged.project_dir, ["check", "defs"], CHECK_TIMEOUT_S)
            beside_result = extra.result() if extra is not None else None
        if result.ok:
            return StagedResult([], manifest, beside_result)
        problems = failed_output_problems(result.stdout + "\n" + result.stderr, staged.home, "dg check defs")
        return StagedResult(locate(problems, staged.defs_dir, staged.home))


def staged_problems(layout: LocationLayout, changes: Mapping[Path, bytes | None]) -> list[Problem]:
    """Problems `dg check defs` (and `dbt parse`, for dbt files) finds once `changes` are applied; [] when clean."""
    return staged_check(layout, changes).problems
