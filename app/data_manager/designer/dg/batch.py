"""`python -m data_manager.designer.dg.batch`: many `dg` commands in one process, as one JSON document.

Each `dg utils inspect-component` started alone pays dg's start-up again (seconds); the catalog needs three
per component type. This runs dg's own click CLI in-process for each and prints
`{"components": <dg list components --json>, "types": {type: {"schema", "description", "example"}}}`.
"""

from __future__ import annotations

import json
import sys

from click.testing import CliRunner


def _dg(runner: CliRunner, *args: str) -> str:
    from data_manager.dagster_private_api import dg_cli

    result = runner.invoke(dg_cli, list(args), catch_exceptions=True)
    if result.exit_code != 0:
        detail = (result.output or str(result.exception or "")).strip().splitlines()
        raise SystemExit(f"dg {' '.join(args)} failed: {detail[-1] if detail else result.exit_code}")
    # stdout alone: dagster writes notices to stderr (the first run's telemetry text), which `output` mixes in.
    return result.stdout


def catalog() -> dict[str, object]:
    runner = CliRunner()
    components = json.loads(_dg(runner, "list", "components", "--json"))
    items = components["items"] if isinstance(components, dict) else components
    types = {}
    for item in items:
        key = item["key"]
        description = _dg(runner, "utils", "inspect-component", key, "--description").strip()
        types[key] = {
            "schema": json.loads(_dg(runner, "utils", "inspect-component", key, "--defs-yaml-json-schema")),
            "description": "" if description == "No description available." else description,
            "example": _dg(runner, "utils", "inspect-component", key, "--defs-yaml-example-values"),
        }
    return {"components": items, "types": types}


if __name__ == "__main__":
    if sys.argv[1:] != ["catalog"]:
        raise SystemExit("usage: python -m data_manager.designer.dg.batch catalog")
    json.dump(catalog(), sys.stdout)
