"""Add, remove, render and check code locations: each one step, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from data_manager.atomic_files import Transaction
from data_manager.errors import EXIT_FAILURE, UserError
from data_manager.locations.model import Location
from data_manager.locations.registry import (
    PORT_RANGE,
    CodeLocation,
    LocationMetadata,
    Registry,
    default_module,
    name_problem,
)
from data_manager.locations.registry_store import dump_registry, load_registry
from data_manager.locations.workspace_file import render_workspace
from data_manager.paths import ProjectPaths
from data_manager.settings import render_env_example


def require_valid_name(name: str) -> None:
    problem = name_problem(name)
    if problem:
        raise UserError(f"invalid location name: {problem}")


def require_known(registry: Registry, name: str) -> CodeLocation:
    require_valid_name(name)
    location = registry.get(name)
    if location is None:
        known = ", ".join(loc.name for loc in registry.code_locations) or "none"
        raise UserError(f"unknown location {name!r}; registered: {known}")
    return location


def generated_files(paths: ProjectPaths, registry: Registry) -> dict[Path, str]:
    """Every file derived from the registry and settings, with its expected content."""
    return {paths.workspace_yaml: render_workspace(registry), paths.env_example: render_env_example()}


def render(paths: ProjectPaths) -> list[Path]:
    """Regenerate the derived files; returns those that changed."""
    registry = load_registry(paths.registry)
    tx = Transaction()
    changed = []
    for path, content in generated_files(paths, registry).items():
        if not path.exists() or path.read_text() != content:
            tx.write(path, content)
            changed.append(path)
    tx.commit()
    return changed


def check(paths: ProjectPaths) -> list[str]:
    """Problems that make the checkout inconsistent (empty when all is well)."""
    registry = load_registry(paths.registry)
    problems = []
    for path, content in generated_files(paths, registry).items():
        if not path.exists():
            problems.append(f"{path.relative_to(paths.home)} is missing: run `make workspace`")
        elif path.read_text() != content:
            problems.append(f"{path.relative_to(paths.home)} is stale: run `make workspace`")
    for entry in registry.code_locations:
        location = Location.from_entry(entry, paths)
        if entry.module == default_module(entry.name) and not location.package_dir.is_dir():
            problems.append(f"location {entry.name!r}: package {location.package_dir} is missing")
    return problems


@dataclass(frozen=True)
class AddResult:
    location: CodeLocation
    files: list[Path]


def add(
    paths: ProjectPaths, name: str, port: int | None = None, template: str = "empty", description: str = ""
) -> AddResult:
    from data_manager.locations.scaffold import render_template

    require_valid_name(name)
    registry = load_registry(paths.registry)
    if registry.get(name) is not None:
        raise UserError(f"location {name!r} is already registered")
    if paths.location_dir(name).exists():
        raise UserError(f"{paths.location_dir(name)} already exists; remove it or pick another name")
    if port is None:
        try:
            port = registry.next_free_port()
        except ValueError as exc:
            raise UserError(str(exc)) from None
    elif port not in PORT_RANGE:
        raise UserError(f"port {port} is outside {PORT_RANGE.start}-{PORT_RANGE.stop - 1}")
    else:
        owner = next((loc.name for loc in registry.code_locations if loc.port == port), None)
        if owner:
            raise UserError(f"port {port} is already used by location {owner!r}")

    files = render_template(template, name, port)
    location = CodeLocation(
        name=name,
        port=port,
        description=description or f"{name} code location (from the {template} template)",
        metadata=LocationMetadata(domain=name),
    )
    new_registry = Registry(code_locations=[*registry.code_locations, location], config=registry.config)

    tx = Transaction()
    try:
        package_rel = paths.location_dir(name).relative_to(paths.home)
        staged_package = tx.stage_dir(paths.location_dir(name))
        for relative, content in files.items():
            if relative.parts[: len(package_rel.parts)] == package_rel.parts:
                target = staged_package / relative.relative_to(package_rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(content)
            else:
                destination = paths.home / relative
                if destination.exists():
                    raise UserError(f"{relative} already exists; the template would overwrite it")
                tx.write(destination, content)
        tx.write(paths.registry, dump_registry(new_registry))
        tx.write(paths.workspace_yaml, render_workspace(new_registry))
    except BaseException:
        tx.discard()
        raise
    tx.commit()
    return AddResult(location, sorted(paths.home / rel for rel in files))


@dataclass(frozen=True)
class RemoveResult:
    location: CodeLocation
    removed: list[str]


def remove(paths: ProjectPaths, name: str, purge: bool = False, active_runs: list[str] | None = None) -> RemoveResult:
    """Remove `name` from the registry and the tree. `active_runs` come from the webserver when it is up."""
    registry = load_registry(paths.registry)
    location = require_known(registry, name)
    refuse_if_active(name, active_runs)
    new_registry = Registry(
        code_locations=[loc for loc in registry.code_locations if loc.name != name], config=registry.config
    )
    tx = Transaction()
    removed = []
    package = paths.location_dir(name)
    if package.exists():
        tx.remove(package)  # takes its __pycache__ with it
        removed.append(str(package.relative_to(paths.home)))
    owned = None
    if purge:
        from data_manager.locations.ownership import owned_resources

        owned = owned_resources(paths, name)
        for path in [*owned.connector_files, *owned.dbt_paths]:
            tx.remove(path)
            removed.append(str(path.relative_to(paths.home)))
    tx.write(paths.registry, dump_registry(new_registry))
    tx.write(paths.workspace_yaml, render_workspace(new_registry))
    tx.commit()
    if owned is not None:
        from data_manager.locations.ownership import drop_owned_tables

        removed += [f"table {table}" for table in drop_owned_tables(owned)]
    return RemoveResult(location, removed)


def refuse_if_active(name: str, active_runs: list[str], consequence: str = "") -> None:
    """Refuse to change a location while runs of it are queued or running (listing their ids)."""
    if active_runs:
        raise UserError(
            f"location {name!r} has queued or running runs: {', '.join(active_runs)}{consequence}; "
            "wait for them or terminate them first",
            exit_code=EXIT_FAILURE,
        )
