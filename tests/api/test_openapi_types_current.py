"""The designer's view of the API is generated, and current: `designer/src/generated/` (openapi-typescript's types
and the run-time facts: vocabularies, name patterns, defaults) regenerated from this API's OpenAPI document into a
temporary folder equals the committed files. The generator is the designer's own (`npm run gen:api`)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from data_manager.api.app import openapi_document

REPO = Path(__file__).resolve().parents[2]
DESIGNER = REPO / "designer"
GENERATED = DESIGNER / "src" / "generated"
REGENERATE = "run `make designer-api-types` (or `cd designer && npm run gen:api`) and commit designer/src/generated/"


def test_the_designers_generated_types_are_current(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "node is missing: install Node.js 20+ (the designer needs it), then `make designer-build`"
    assert (DESIGNER / "node_modules" / "openapi-typescript" / "package.json").is_file(), (
        "designer/node_modules lacks openapi-typescript: run `make designer-build` (npm ci from package-lock.json)"
    )
    document = tmp_path / "openapi.json"
    document.write_text(openapi_document())
    out = tmp_path / "generated"
    generated = subprocess.run(
        [node, "scripts/gen-api.mjs", "--openapi", str(document), "--out", str(out)],
        cwd=DESIGNER, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert generated.returncode == 0, f"the generator failed:\n{generated.stdout}{generated.stderr}"

    fresh = {path.name: path.read_text() for path in sorted(out.iterdir())}
    committed = {path.name: path.read_text() for path in sorted(GENERATED.iterdir())} if GENERATED.is_dir() else {}
    assert {"api.d.ts", "facts.ts"} <= set(fresh)
    stale = sorted(name for name in fresh.keys() | committed.keys() if fresh.get(name) != committed.get(name))
    assert not stale, f"designer/src/generated/ is stale ({', '.join(stale)}): the API's models changed; {REGENERATE}"


def test_the_cli_prints_the_openapi_document_without_serving() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "data_manager.cli", "api", "--openapi"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == openapi_document()
    assert "/api/pipelines" in json.loads(printed.stdout)["paths"]


def test_the_designer_spells_no_vocabulary_or_name_pattern_of_its_own() -> None:
    """The lists and patterns come from src/generated/ (tests may spell what they expect)."""
    lists = [("append", "upsert"), ("fail_fast", "continue"), ("string", "integer", "decimal"), ("trim", "lower"),
             ("dom_selection", "json_path"), ("text", "integer", "bigint"), ("SUCCESS", "FAILURE"), ("en", "de", "fr")]  # fmt: skip
    copies = [r"\s*[,|]\s*".join(f'"{word}"' for word in words) for words in lists]
    copies += [r"\[a-z\]\[a-z0-9_\]", r"\{0,62", r"\b63\b"]  # the location name's pattern, the identifiers' length
    found = sorted(
        str(path.relative_to(DESIGNER))
        for path in (DESIGNER / "src").rglob("*.ts*")
        if GENERATED not in path.parents and ".test." not in path.name
        and any(re.search(pattern, path.read_text()) for pattern in copies)
    )  # fmt: skip
    assert not found, f"API facts spelled in the designer instead of taken from src/generated/: {found}"
