"""`data-manager components`: the designer's operations for scripts and CI (same services as the API).

Exit codes: 0 success; 1 a check found problems or a dg step failed; 2 bad input (every problem listed on
one line, nothing changed).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from data_manager.errors import EXIT_FAILURE, UserError, cli_errors
from data_manager.paths import ProjectPaths

components_app = typer.Typer(
    no_args_is_help=True, help="Component types and instances of the code locations (dg scaffold, check, preview)."
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
LocationArg = Annotated[str, typer.Argument(help="Registered location name.")]
PathArg = Annotated[str, typer.Argument(help="Instance folder under the location's defs/, e.g. shop_sync.")]


def _paths() -> ProjectPaths:
    return ProjectPaths.discover()


def _print_json(value: object) -> None:
    print(json.dumps(value, indent=2))


def _json_object(text: str, option: str) -> dict[str, Any]:
    """A JSON object from the command line, or `@file` to read one."""
    if text.startswith("@"):
        try:
            text = open(text[1:]).read()  # noqa: SIM115
        except OSError as exc:
            raise UserError(f"{option}: cannot read {text[1:]}: {exc.strerror}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{option} is not valid JSON: {exc.msg} at character {exc.pos}") from None
    if not isinstance(value, dict):
        raise UserError(f"{option} must be a JSON object")
    return value


def _assignments(pairs: list[str]) -> dict[str, Any]:
    """`key=value` pairs; each value is read as JSON when it parses, else kept as a string."""
    values: dict[str, Any] = {}
    problems = []
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            problems.append(f"{pair!r} is not key=value")
            continue
        try:
            values[key] = json.loads(raw)
        except json.JSONDecodeError:
            values[key] = raw
    if problems:
        raise UserError("; ".join(problems))
    return values


@components_app.command("list")
@cli_errors
def list_command(
    location: Annotated[str | None, typer.Argument(help="List this location's instances instead of the types.")] = None,
    refresh: Annotated[bool, typer.Option("--refresh", help="Rebuild the component catalog.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Component types (dg list components), or a location's component instances."""
    from data_manager.designer.catalog import catalog_for
    from data_manager.designer.instances import list_instances
    from data_manager.designer.layout import location_layout

    paths = _paths()
    if location is None:
        types = catalog_for(paths).types(refresh=refresh)
        rows = [component.summary_dict() for component in types.values()]
        if as_json:
            _print_json(rows)
        for row in [] if as_json else rows:
            print(f"{row['key']}\t{row['summary']}")
        return
    found = [item.as_dict() for item in list_instances(location_layout(paths, location))]
    if as_json:
        _print_json(found)
        return
    for item in found:
        print(f"{item['path']}\t{item['type']}\t{item['error'] or item['file']}")


@components_app.command("show")
@cli_errors
def show_command(
    target: Annotated[str, typer.Argument(help="A component type, or a location name followed by an instance path.")],
    path: Annotated[str | None, typer.Argument(help="Instance path (when TARGET is a location).")] = None,
    as_json: JsonOption = False,
) -> None:
    """A type's description, example and JSON Schema; or an instance's YAML."""
    from data_manager.designer.catalog import catalog_for
    from data_manager.designer.instances import read_instance
    from data_manager.designer.layout import location_layout

    paths = _paths()
    if path is None:
        component = catalog_for(paths).get(target)
        if as_json:
            _print_json(component.as_dict())
        else:
            print(f"{component.key}\n\n{component.description or component.summary}\n\nExample:\n\n{component.example}")
        return
    instance = read_instance(location_layout(paths, target), path)
    if as_json:
        _print_json(instance)
    else:
        sys.stdout.write(str(instance["yaml"]))


@components_app.command("scaffold")
@cli_errors
def scaffold_command(
    location: LocationArg,
    component_type: Annotated[
        str, typer.Argument(help="Component type, e.g. data_manager.components.SqlTableSyncComponent.")
    ],
    path: PathArg,
    attributes: Annotated[
        str | None, typer.Option(help="Attributes as a JSON object (or @file); validated first.")
    ] = None,
    json_params: Annotated[
        str | None, typer.Option("--json-params", help="Scaffold params for dg (JSON object).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a component instance with `dg scaffold defs TYPE PATH`, then write the given attributes."""
    from data_manager.designer.catalog import catalog_for
    from data_manager.designer.instances import create_instance
    from data_manager.designer.layout import location_layout

    paths = _paths()
    created = create_instance(
        location_layout(paths, location),
        catalog_for(paths),
        component_type,
        path,
        _json_object(attributes, "--attributes") if attributes is not None else None,
        _json_object(json_params, "--json-params") if json_params is not None else None,
    )
    if as_json:
        _print_json(created)
    else:
        print(f"created {created['file']}", file=sys.stderr)


@components_app.command("set")
@cli_errors
def set_command(
    location: LocationArg,
    path: PathArg,
    assignments: Annotated[
        list[str] | None, typer.Argument(help='key=value (JSON values: tables=\'["a","b"]\').')
    ] = None,
    attributes: Annotated[
        str | None, typer.Option(help="Replace all attributes with this JSON object (or @file).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Update an instance's attributes (validated against its type's schema before anything is written)."""
    from data_manager.designer.catalog import catalog_for
    from data_manager.designer.instances import read_instance, update_attributes
    from data_manager.designer.layout import location_layout

    paths = _paths()
    layout = location_layout(paths, location)
    if attributes is not None and assignments:
        raise UserError("give either key=value assignments or --attributes, not both")
    if attributes is not None:
        new = _json_object(attributes, "--attributes")
    elif assignments:
        current = read_instance(layout, path)["attributes"] or {}
        new = {**current, **_assignments(assignments)}  # type: ignore[dict-item]
    else:
        raise UserError("nothing to set: give key=value assignments or --attributes")
    updated = update_attributes(layout, catalog_for(paths), path, new)
    if as_json:
        _print_json(updated)
    else:
        print(f"updated {updated['file']}", file=sys.stderr)


@components_app.command("check")
@cli_errors
def check_command(
    location: LocationArg,
    defs: Annotated[bool, typer.Option("--defs/--no-defs", help="Also run dg check defs (loads the code).")] = True,
    as_json: JsonOption = False,
) -> None:
    """Validate a location: schema, dg check yaml, dg check defs. Exit 1 when anything is wrong."""
    from data_manager.designer.catalog import catalog_for
    from data_manager.designer.checks import check_location
    from data_manager.designer.layout import location_layout

    paths = _paths()
    report = check_location(location_layout(paths, location), catalog_for(paths), with_defs=defs)
    if as_json:
        _print_json(report.as_dict())
    else:
        for step, problem in report.problems:
            print(f"error: [{step}] {problem.one_line()}", file=sys.stderr)
        passed = ", ".join(step for step, ok in report.steps.items() if ok)
        print(f"{location}: {'ok' if report.ok else 'problems found'} ({passed or 'no step'} passed)", file=sys.stderr)
    if not report.ok:
        raise typer.Exit(EXIT_FAILURE)


@components_app.command("preview")
@cli_errors
def preview_command(
    location: LocationArg,
    refresh: Annotated[bool, typer.Option("--refresh", help="Run dg even when the files are unchanged.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The assets a location defines (dg list defs), with deps, kinds and producing instance."""
    from data_manager.designer.layout import location_layout
    from data_manager.designer.preview import preview_location

    document = preview_location(location_layout(_paths(), location), refresh=refresh)
    if as_json:
        _print_json(document)
        return
    for asset in document["assets"]:  # type: ignore[union-attr]
        deps = ",".join(asset["deps"]) or "-"
        print(
            f"{asset['key']}\t{asset['group']}\t{','.join(asset['kinds']) or '-'}\t{asset['component'] or '-'}\tdeps={deps}"
        )
