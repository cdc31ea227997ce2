"""Render Dagster's `workspace.yaml` from the registry. Never edit the output by hand."""

from __future__ import annotations

import yaml

from data_manager.locations.registry import Registry

HEADER = (
    "# GENERATED from code-locations.json by `data-manager locations render`; do not edit.\n"
    "# Workspace: {name} ({version}) - {description}\n"
)


def render_workspace(registry: Registry, host_override: str | None = None) -> str:
    """The workspace for the webserver and daemon.

    `host_override` points every location at one host: `127.0.0.1` for `make dev`.
    """
    load_from = [
        {
            "grpc_server": {
                "host": host_override or location.host,
                "port": location.port,
                "location_name": location.name,
            }
        }
        for location in registry.enabled
    ]
    header = HEADER.format(
        name=registry.config.workspace_name,
        version=registry.config.version,
        description=registry.config.description,
    )
    return header + yaml.safe_dump({"load_from": load_from}, sort_keys=False)
