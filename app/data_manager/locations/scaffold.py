"""Render a location template into a staging area.

A template is a directory tree under `templates/<name>/` that mirrors the
repository root; `{{name}}` and `{{port}}` are replaced in paths and contents.
"""

from __future__ import annotations

from pathlib import Path

from data_manager.errors import UserError

TEMPLATES_DIR = Path(__file__).parent / "templates"
SKIP_PARTS = {"__pycache__"}


def available_templates() -> list[str]:
    return sorted(p.name for p in TEMPLATES_DIR.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def render_template(template: str, name: str, port: int) -> dict[Path, str]:
    """Relative path -> content for every file of `template`, placeholders filled in."""
    root = TEMPLATES_DIR / template
    if not root.is_dir():
        raise UserError(f"unknown template {template!r}; available: {', '.join(available_templates())}")

    def fill(text: str) -> str:
        return text.replace("{{name}}", name).replace("{{port}}", str(port))

    files: dict[Path, str] = {}
    for source in sorted(root.rglob("*")):
        relative = source.relative_to(root)
        if source.is_dir() or SKIP_PARTS.intersection(relative.parts) or source.suffix == ".pyc":
            continue
        files[Path(fill(str(relative)))] = fill(source.read_text())
    return files
