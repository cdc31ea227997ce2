"""What belongs to a location besides its package: connectors, dbt files, cache tables.

Used by `locations remove --purge`. Ownership is read from the location's own
component YAML files, so nothing has to be registered twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from data_manager.paths import ProjectPaths


@dataclass
class OwnedResources:
    connector_files: list[Path] = field(default_factory=list)
    dbt_paths: list[Path] = field(default_factory=list)
    table_prefixes: list[tuple[str | None, str]] = field(default_factory=list)  # (schema or None for default, prefix)

    def describe(self, paths: ProjectPaths) -> list[str]:
        lines = [str(p.relative_to(paths.home)) for p in [*self.connector_files, *self.dbt_paths]]
        lines += [f"cache tables {schema or '<cache schema>'}.{prefix}*" for schema, prefix in self.table_prefixes]
        return lines


def _walk(node: object) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _connector_files(paths: ProjectPaths, connector: str) -> list[Path]:
    main = paths.connectors_dir / f"{connector}.yaml"
    found = [main] if main.exists() else []
    if main.exists():
        manifest = (yaml.safe_load(main.read_text()) or {}).get("manifest")
        if isinstance(manifest, str) and (paths.connectors_dir / manifest).exists():
            found.append(paths.connectors_dir / manifest)
    return found


def _dbt_paths(paths: ProjectPaths, name: str) -> list[Path]:
    try:
        from data_manager.dbt.layout import dbt_paths_for_location
    except ImportError:
        candidate = paths.dbt_dir / "models" / name
        return [candidate] if candidate.exists() else []
    return [p for p in dbt_paths_for_location(paths.dbt_dir, name) if p.exists()]


def owned_resources(paths: ProjectPaths, name: str) -> OwnedResources:
    from data_manager.ingestion.airbyte.naming import table_prefix_for

    owned = OwnedResources(dbt_paths=_dbt_paths(paths, name))
    location_dir = paths.location_dir(name)
    for component_file in sorted(location_dir.rglob("*.yaml")) if location_dir.exists() else []:
        try:
            documents = list(yaml.safe_load_all(component_file.read_text()))
        except yaml.YAMLError:
            continue
        for node in _walk(documents):
            connector = node.get("connector")
            if isinstance(connector, str):
                owned.connector_files += _connector_files(paths, connector)
                owned.table_prefixes.append((node.get("cache_schema"), table_prefix_for(connector)))
            prefix = node.get("table_prefix")
            if isinstance(prefix, str) and prefix:
                owned.table_prefixes.append((node.get("target_schema"), prefix))
    owned.connector_files = sorted(set(owned.connector_files))
    owned.table_prefixes = sorted(set(owned.table_prefixes), key=lambda item: (item[0] or "", item[1]))
    return owned
