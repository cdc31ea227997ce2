"""Filtering of discovered entities by glob pattern, tags and groups (applied client-side, on any server)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from daglab.errors import UsageError
from daglab.models import AssetInfo, JobInfo


@dataclass(frozen=True)
class EntityFilter:
    """``pattern`` is a glob on the key path (``orders/*``) or job name; ``tags`` must all match exactly."""

    pattern: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    groups: Sequence[str] = ()

    def assets(self, assets: Iterable[AssetInfo]) -> list[AssetInfo]:
        return sorted(
            (
                a
                for a in assets
                if self._name_ok(a.path) and self._tags_ok(a.tags) and (not self.groups or a.group in self.groups)
            ),
            key=lambda a: a.path,
        )

    def jobs(self, jobs: Iterable[JobInfo], include_hidden: bool = False) -> list[JobInfo]:
        """Jobs matching pattern and tags; Dagster's implicit ``__ASSET_JOB*`` jobs are hidden by default."""
        return sorted(
            (
                j
                for j in jobs
                if (include_hidden or not j.name.startswith("__")) and self._name_ok(j.name) and self._tags_ok(j.tags)
            ),
            key=lambda j: (j.name, j.location, j.repository),
        )

    def _name_ok(self, name: str) -> bool:
        return self.pattern is None or fnmatch.fnmatchcase(name, self.pattern)

    def _tags_ok(self, tags: dict[str, str]) -> bool:
        return all(tags.get(k) == v for k, v in self.tags.items())


def parse_pairs(text: str | None, what: str = "--tags") -> dict[str, str]:
    """Parse ``k=v,k2=v2``; a malformed entry is a UsageError naming it."""
    pairs: dict[str, str] = {}
    if not text:
        return pairs
    for item in text.split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"invalid {what} entry {item.strip()!r}: expected key=value")
        pairs[key.strip()] = value.strip()
    return pairs


def parse_list(text: str | None) -> list[str]:
    """Parse ``a,b`` into ``["a", "b"]`` (empty items dropped)."""
    return [p.strip() for p in (text or "").split(",") if p.strip()]


def parse_asset_selection(text: str) -> list[list[str]]:
    """Parse ``a/b,c/d`` into asset key paths; an empty selection is a UsageError."""
    keys = [[part for part in item.split("/") if part] for item in parse_list(text)]
    keys = [k for k in keys if k]
    if not keys:
        raise UsageError(f"empty asset selection {text!r}: expected keys like orders/raw,orders/clean")
    return keys
