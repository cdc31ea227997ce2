"""Load one location's definitions and print their counts as JSON (run in a subprocess by `validate`)."""

from __future__ import annotations

import importlib
import json
import sys
import time


def inspect(module_name: str) -> dict[str, object]:
    import dagster as dg

    started = time.monotonic()
    module = importlib.import_module(module_name)
    candidates = [value for value in vars(module).values() if isinstance(value, dg.Definitions)]
    if not candidates:
        raise LookupError(f"module {module_name} defines no dagster Definitions object (expected `defs`)")
    defs = getattr(module, "defs", candidates[0])
    repository = defs.get_repository_def()
    jobs = [job for job in repository.get_all_jobs() if not job.name.startswith("__")]
    return {
        "assets": len(repository.asset_graph.get_all_asset_keys()),
        "asset_checks": len(repository.asset_graph.asset_check_keys),
        "jobs": len(jobs),
        "schedules": len(repository.schedule_defs),
        "sensors": len(repository.sensor_defs),
        "load_seconds": round(time.monotonic() - started, 2),
    }


def main() -> None:
    try:
        print(json.dumps({"ok": True, **inspect(sys.argv[1])}))
    except Exception as exc:  # report any load failure as data, the caller decides
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
