"""The user guide: README.md is its landing page, docs/*.md the rest.

Every relative link points at a file that exists (and at a heading there, when it names one), every Makefile
target with a help line is documented, the README keeps what a newcomer needs first, and the guide speaks to a
user's own machine, not to the machines this project is built on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from platform_support import REPO_ROOT

PAGES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)\s]+)\)")


def prose(path: Path) -> str:
    """The page without its code blocks and inline code, where `](` is not a link."""
    return re.sub(r"`[^`\n]*`", "", FENCE.sub("", path.read_text()))


def anchors(path: Path) -> set[str]:
    """The anchors GitHub gives the page's headings: lower case, punctuation dropped, spaces to hyphens."""
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", FENCE.sub("", path.read_text()), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    for target in LINK.findall(prose(page)):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        assert linked.exists(), f"{page.name}: link to {target}: {linked} does not exist"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked), f"{page.name}: link to {target}: no such heading in {linked.name}"


def test_every_docs_page_is_reachable_from_the_readme() -> None:
    linked = {(REPO_ROOT / t.partition("#")[0]).resolve() for t in LINK.findall(prose(REPO_ROOT / "README.md"))}
    for page in PAGES[1:]:
        assert page.resolve() in linked, f"README.md does not link to docs/{page.name}"


def test_every_make_target_is_documented() -> None:
    guide = "\n".join(page.read_text() for page in PAGES)
    targets = re.findall(r"^([a-zA-Z_-]+):.*## ", (REPO_ROOT / "Makefile").read_text(), re.MULTILINE)
    assert targets
    missing = [t for t in targets if not re.search(rf"make {re.escape(t)}\b", guide)]
    assert not missing, f"Makefile targets the guide never mentions: {missing}"


def test_readme_is_a_landing_page() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert "## Architecture" in readme and "code-locations.json  (the one registry)" in readme, "the picture"
    assert "make dev " in readme and "make test " in readme, "the two commands"
    assert "## Troubleshooting" in readme and "docs/troubleshooting.md" in readme
    assert len(readme.splitlines()) < 150, "the details belong in docs/"


def test_guide_speaks_to_a_users_machine() -> None:
    for page in PAGES:
        text = page.read_text()
        assert "shared/tools" not in text, f"{page.name}: the build machines' tools belong in .ci/run's comments"
        assert "these machines" not in text, page.name
        if page.name != "benchmarks.md":
            assert "load average" not in text, f"{page.name}: measured figures belong in docs/benchmarks.md"
