"""Drawn dependencies as Dagster post-processing rules in a component's defs.yaml, and the cycle test.

A dependency drawn in the designer from asset `S` to asset `T` (T depends on S) becomes one rule in the
defs.yaml of the component producing T:

    post_processing:
      assets:
        - target: key:"pyairbyte_cache/t"
          attributes:
            deps: [upstream/own, pyairbyte_cache/s]    # the asset's own deps first: `deps` replaces them
            metadata:
              designer_drawn_deps: [pyairbyte_cache/s]  # which of them were drawn (removable)

Pure functions over ruamel documents and plain dicts: no files, no dg.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from ruamel.yaml.comments import CommentedMap, CommentedSeq

DRAWN_DEPS_KEY = "designer_drawn_deps"


def key_target(asset_key: str) -> str:
    """Dagster's selection syntax for exactly one asset."""
    return f'key:"{asset_key}"'


def cycle_through(deps_of: Mapping[str, Iterable[str]], source: str, target: str) -> list[str] | None:
    """The path `target -> ... -> source -> target` that adding "target depends on source" would close, or None.

    `deps_of` maps each asset key to the keys it depends on (upstream). A self-loop is the path [source, source].
    """
    if source == target:
        return [source, source]
    # Walk upstream from the source: reaching the target means the target is already upstream of the source.
    came_from: dict[str, str | None] = {source: None}
    queue = deque([source])
    while queue:
        current = queue.popleft()
        for upstream in deps_of.get(current, ()):
            if upstream in came_from:
                continue
            came_from[upstream] = current
            if upstream == target:
                path = [target]
                step: str | None = current
                while step is not None:
                    path.append(step)
                    step = came_from[step]
                return [*path, target]
            queue.append(upstream)
    return None


def _rules(document: CommentedMap) -> CommentedSeq | None:
    post_processing = document.get("post_processing")
    if not isinstance(post_processing, Mapping):
        return None
    rules = post_processing.get("assets")
    return rules if isinstance(rules, CommentedSeq) else None


def _drawn_rule_target(rule: object) -> str | None:
    """The asset key a designer rule targets, or None for any other rule (those are never touched)."""
    if not isinstance(rule, Mapping):
        return None
    attributes = rule.get("attributes")
    metadata = attributes.get("metadata") if isinstance(attributes, Mapping) else None
    target = rule.get("target")
    if not isinstance(metadata, Mapping) or DRAWN_DEPS_KEY not in metadata or not isinstance(target, str):
        return None
    prefix, suffix = 'key:"', '"'
    if target.startswith(prefix) and target.endswith(suffix):
        return target[len(prefix) : -len(suffix)]
    return None


def drawn_deps(document: CommentedMap) -> dict[str, list[str]]:
    """Asset key -> the deps drawn for it in this document."""
    found: dict[str, list[str]] = {}
    for rule in _rules(document) or []:
        target = _drawn_rule_target(rule)
        if target is not None:
            found.setdefault(target, []).extend(str(dep) for dep in rule["attributes"]["metadata"][DRAWN_DEPS_KEY])
    return found


def _rule_for(document: CommentedMap, target: str) -> CommentedMap | None:
    for rule in _rules(document) or []:
        if _drawn_rule_target(rule) == target:
            return rule
    return None


def add_drawn_dep(document: CommentedMap, target: str, source: str, own_deps: Iterable[str]) -> None:
    """Make `target` depend on `source`, keeping its `own_deps` (the ones no rule drew); edits in place."""
    rule = _rule_for(document, target)
    if rule is None:
        post_processing = document.setdefault("post_processing", CommentedMap())
        rules = post_processing.setdefault("assets", CommentedSeq())
        rule = CommentedMap(target=key_target(target), attributes=CommentedMap())
        rule["attributes"]["deps"] = CommentedSeq(dep for dep in own_deps if dep != source)
        rule["attributes"]["metadata"] = CommentedMap({DRAWN_DEPS_KEY: CommentedSeq()})
        rules.append(rule)
    deps, drawn = rule["attributes"]["deps"], rule["attributes"]["metadata"][DRAWN_DEPS_KEY]
    if source not in deps:
        deps.append(source)
    if source not in drawn:
        drawn.append(source)


def remove_drawn_dep(document: CommentedMap, target: str, source: str) -> bool:
    """Undo `add_drawn_dep`: False when no such drawn dep exists. The rule (and empty sections) go with the last."""
    rule = _rule_for(document, target)
    if rule is None or source not in rule["attributes"]["metadata"][DRAWN_DEPS_KEY]:
        return False
    drawn = rule["attributes"]["metadata"][DRAWN_DEPS_KEY]
    drawn.remove(source)
    deps = rule["attributes"]["deps"]
    if source in deps:
        deps.remove(source)
    if not drawn:
        rules = _rules(document)
        assert rules is not None
        rules.remove(rule)
        if not rules:
            del document["post_processing"]["assets"]
        if not document["post_processing"]:
            del document["post_processing"]
    return True


def strip_drawn_rules(document: CommentedMap) -> None:
    """Remove every designer rule (a duplicate's assets are not the original's); other rules stay."""
    rules = _rules(document)
    if rules is None:
        return
    for rule in [rule for rule in rules if _drawn_rule_target(rule) is not None]:
        rules.remove(rule)
    if not rules:
        del document["post_processing"]["assets"]
    if not document["post_processing"]:
        del document["post_processing"]
