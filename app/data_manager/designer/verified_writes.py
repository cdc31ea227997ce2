"""Writes that dg must accept: the file is replaced (or created), then the location's preview is rebuilt with
`dg list defs`; when dg refuses the result, the old file is put back (or the new folder removed) and dg's
errors are raised. The caller holds the location's lock."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from ruamel.yaml.comments import CommentedMap

from data_manager.atomic_files import write_atomic
from data_manager.designer import preview, yaml_files
from data_manager.designer.instances import DEFS_FILE
from data_manager.designer.layout import LocationLayout
from data_manager.designer.problems import CONFLICT, NOT_FOUND, DesignerError, Problem


def edit_then_verify(layout: LocationLayout, instance_path: str, edit: Callable[[CommentedMap], object]) -> None:
    """Apply `edit` to an instance's one-document defs.yaml (comments and order kept), keep it only if dg loads it."""
    defs_file = layout.ensure_inside(layout.instance_dir(instance_path) / DEFS_FILE)
    relative = layout.relative(defs_file)
    if not defs_file.is_file():
        raise DesignerError([f"no component instance {instance_path!r} in location {layout.name!r}"], kind=NOT_FOUND)
    before = defs_file.read_text()
    documents = yaml_files.load_documents(before, relative)
    if len(documents) != 1 or not isinstance(documents[0], CommentedMap):
        raise DesignerError(
            [Problem(f"{relative} holds {len(documents)} documents; edit it as YAML", file=relative)], kind=CONFLICT
        )
    edit(documents[0])
    write_atomic(defs_file, yaml_files.dump(documents[0]))
    try:
        preview.preview_location(layout)
    except DesignerError:
        write_atomic(defs_file, before)
        raise


def create_then_verify(layout: LocationLayout, instance_path: str, document: dict[str, object]) -> None:
    """Write a new instance folder with `document` as its defs.yaml, kept only if dg loads it."""
    folder = layout.ensure_inside(layout.instance_dir(instance_path))
    if folder.exists():
        raise DesignerError([Problem(f"{layout.relative(folder)} already exists", path=("name",))], kind=CONFLICT)
    folder.mkdir(parents=True)
    try:
        write_atomic(folder / DEFS_FILE, yaml_files.dump(document))
        preview.preview_location(layout)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
