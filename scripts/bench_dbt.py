"""`make bench-dbt`: dbt manifest preparation time vs. code-location load time and memory.

For generated dbt projects of 10, 100 and 500 models (half staging, half reporting, each with
not_null + unique tests) it measures, separately:
  * prepare_s: (best of 2, from scratch) `data-manager dbt prepare` (dbt parse) in a fresh process,
    as the image build runs it;
  * load_s / rss_mb: (best of 3) a fresh interpreter loading a code location whose dbt assets come from that
    manifest, until its repository is fully resolved, and its peak RSS. The load never parses dbt
    (checked: the project's target/ folder is unchanged by the load).
Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SIZES = (10, 100, 500)
LOCATION = "bench_dbt_loc"

LOCATION_INIT = f'''
import dagster as dg

from data_manager.dbt.project import DBT_RESOURCE_KEY, build_dbt_assets, dbt_resource

defs = dg.Definitions(
    assets=[build_dbt_assets("{LOCATION}")],
    jobs=[dg.define_asset_job("{LOCATION}_pipeline", selection=dg.AssetSelection.groups("{LOCATION}"))],
    resources={{DBT_RESOURCE_KEY: dbt_resource()}},
)
'''

LOAD_PROBE = f"""
import json, resource, time
started = time.perf_counter()
import dagster as dg
import dagster_code.{LOCATION} as location
repository = location.defs.get_repository_def()
repository.load_all_definitions()
elapsed = time.perf_counter() - started
assets = len(repository.asset_graph.get_all_asset_keys())
checks = len(repository.asset_graph.asset_check_keys)
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"load_s": elapsed, "rss_mb": rss_mb, "assets": assets, "checks": checks}}))
"""


def generate(home: Path, models: int) -> None:
    """A dbt project (the repository's config and macros) with `models` models in the bench location."""
    dbt_dir = home / "dbt_models"
    dbt_dir.mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copyfile(REPO_ROOT / "dbt_models" / name, dbt_dir / name)
    shutil.copytree(REPO_ROOT / "dbt_models" / "macros", dbt_dir / "macros")
    staging = dbt_dir / "models" / "staging" / LOCATION
    reporting = dbt_dir / "models" / "reporting" / LOCATION
    staging.mkdir(parents=True)
    reporting.mkdir(parents=True)
    half = max(models // 2, 1)
    (staging / "sources.yml").write_text(
        "version: 2\nsources:\n  - name: bench\n    schema: pyairbyte_cache\n    tables:\n"
        + "".join(
            f"      - name: bench_raw_{i}\n        meta: {{dagster: {{asset_key: [pyairbyte_cache, bench_raw_{i}]}}}}\n"
            for i in range(half)
        )
    )
    for folder, prefix, body in (
        (staging, "staging_bench", "select id, payload from {{{{ source('bench', 'bench_raw_{i}') }}}}"),
        (reporting, "bench_reporting", "select id, count(*) as n from {{{{ ref('staging_bench_{i}') }}}} group by id"),
    ):
        entries = []
        for i in range(models - half if folder is reporting else half):
            (folder / f"{prefix}_{i}.sql").write_text(body.format(i=i) + "\n")
            entries.append(
                f"  - name: {prefix}_{i}\n    columns:\n      - name: id\n        data_tests: [not_null, unique]\n"
            )
        (folder / "schema.yml").write_text("version: 2\nmodels:\n" + "".join(entries))
    package = home / "app" / "dagster_code" / LOCATION
    package.mkdir(parents=True)
    (home / "app" / "dagster_code" / "__init__.py").write_text("")
    (package / "__init__.py").write_text(LOCATION_INIT)
    (home / "code-locations.json").write_text('{"code_locations": [], "config": {}}')


def snapshot(folder: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in folder.rglob("*") if p.is_file()}


def bench(models: int, workdir: Path, repeat: int = 3) -> dict[str, float | int]:
    home = workdir / f"models_{models}"
    generate(home, models)
    env = {**os.environ, "DATA_PLATFORM_HOME": str(home), "PYTHONPATH": str(home / "app")}
    prepare_times = []
    for _ in range(2):  # from scratch each time (no partial parse), best of two
        shutil.rmtree(home / "dbt_models" / "target", ignore_errors=True)
        started = time.perf_counter()
        prepared = subprocess.run(
            [sys.executable, "-m", "data_manager.control.dbt_cli", "prepare"], env=env, capture_output=True, text=True
        )
        prepare_times.append(time.perf_counter() - started)
        if prepared.returncode != 0:
            raise SystemExit(f"error: dbt prepare failed for {models} models: {prepared.stderr.strip()[-500:]}")
    prepare_s = min(prepare_times)
    manifest = home / "dbt_models" / "target" / "manifest.json"
    before = snapshot(home / "dbt_models")
    probes, process_times = [], []
    for _ in range(repeat):  # the best of a few fresh processes: the machine may be shared
        started = time.perf_counter()
        loaded = subprocess.run([sys.executable, "-c", LOAD_PROBE], env=env, capture_output=True, text=True)
        process_times.append(time.perf_counter() - started)
        if loaded.returncode != 0:
            raise SystemExit(f"error: loading the {models}-model location failed: {loaded.stderr.strip()[-500:]}")
        probes.append(json.loads(loaded.stdout.strip().splitlines()[-1]))
    if snapshot(home / "dbt_models") != before:
        raise SystemExit("error: loading the location wrote into the dbt project (a dbt parse ran at load)")
    probe = min(probes, key=lambda p: p["load_s"])
    process_s = min(process_times)
    return {
        "models": models,
        "dbt_tests": probe["checks"],
        "manifest_mb": round(manifest.stat().st_size / 2**20, 2),
        "prepare_s": round(prepare_s, 2),
        "load_s": round(probe["load_s"], 2),
        "load_process_s": round(process_s, 2),
        "rss_mb": round(probe["rss_mb"], 1),
        "assets": probe["assets"],
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench_dbt_") as tmp:
        results = [bench(models, Path(tmp)) for models in SIZES]
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
