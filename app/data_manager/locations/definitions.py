"""A location's Definitions: its `defs/` components, its dbt models and one job over both.

Every location package is two lines: `defs = location_definitions(__name__, ...)`. The location
(name, group, job, dbt selection) is derived from the package name, so nothing restates it. Both that
and a location with jobs of its own (`platform_definitions`) end in `platform_definitions`, where the
deployment's executor (EXECUTOR) is applied.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from data_manager.execution.executor import with_platform_execution
from data_manager.locations.model import Location

DEFAULT_GROUP = "default"


def location_of(module: str) -> Location:
    """The location a module belongs to: `dagster_code.<name>` or any module below it."""
    return Location.for_module(".".join(module.split(".")[:2]))


def with_location_group(defs: dg.Definitions, group_name: str) -> dg.Definitions:
    """`defs` with every asset that has no group of its own (YAML or code) put in `group_name`."""

    def grouped(spec: dg.AssetSpec) -> dg.AssetSpec:
        if spec.group_name in (None, DEFAULT_GROUP):
            return spec.replace_attributes(group_name=group_name)
        return spec

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)  # map_asset_specs: preview in dagster 1.13
        return defs.map_asset_specs(func=grouped)


def defs_folder_definitions(package_dir: Path) -> dg.Definitions:
    """The components under the package's `defs/` folder.

    A folder holding nothing but `__init__.py` loads nothing: `load_from_defs_folder` imports every
    installed component library (dbt, Airbyte: about a second), and each run worker pays it again.
    """
    defs_dir = package_dir / "defs"
    if defs_dir.is_dir() and not any(
        path.name != "__init__.py" and "__pycache__" not in path.parts for path in defs_dir.rglob("*")
    ):
        return dg.Definitions()
    return dg.load_from_defs_folder(path_within_project=package_dir)


def platform_definitions(package: str, *parts: dg.Definitions) -> dg.Definitions:
    """Definitions of the location whose package is `package` (pass `__name__`): its `defs/` components
    (in the location's group unless their YAML sets one) and `parts`, run by the deployment's executor.

    Every location goes through here, so EXECUTOR=celery applies to all of them and none names it.
    """
    location = location_of(package)
    package_dir = Path(sys.modules[package].__file__).parent
    components = with_location_group(defs_folder_definitions(package_dir), location.group_name)
    return with_platform_execution(dg.Definitions.merge(components, *parts), location.name, package)


def location_definitions(
    package: str,
    *,
    pipeline_description: str,
    schedules: Sequence[dg.ScheduleDefinition] = (),
    executor_def: dg.ExecutorDefinition | None = None,
) -> dg.Definitions:
    """Definitions of the location whose package is `package` (pass `__name__`).

    The components in `defs/` (their assets land in the location's group unless their YAML sets
    one), the platform dbt models under dbt_models/models/{staging,reporting}/<name>/ when that
    folder exists, the `<name>_pipeline` job over the group, and `schedules`. One merged
    Definitions, because a code server loads the single module-level one it finds. `executor_def`
    applies with EXECUTOR=multiprocess; with celery every job runs on the workers.
    """
    location = location_of(package)
    pipeline = dg.define_asset_job(
        name=location.job_name,
        selection=dg.AssetSelection.groups(location.group_name),
        description=pipeline_description,
        executor_def=executor_def,
    )
    extra = dg.Definitions(jobs=[pipeline], schedules=list(schedules))
    if any(folder.is_dir() for folder in location.dbt_dirs):
        from data_manager.dbt.project import DBT_RESOURCE_KEY, build_dbt_assets, dbt_resource

        extra = dg.Definitions.merge(
            extra,
            dg.Definitions(
                assets=[build_dbt_assets(location.name, location.dbt_select)],
                resources={DBT_RESOURCE_KEY: dbt_resource()},
            ),
        )
    return platform_definitions(package, extra)
