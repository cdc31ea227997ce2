"""Every command of `data-manager --help`'s tree, given an unknown option, a missing value or a value of the
wrong type: one line on stderr naming the problem, exit 2, no traceback, and the command itself never runs
(arguments are parsed before any work starts)."""

from __future__ import annotations

import inspect
import sys
import types
import typing

import pytest
import typer

from data_manager.cli import app, main

NOT_A_NUMBER = "not-a-number"


def leaf_commands() -> list[tuple[list[str], typing.Any]]:
    """(path, command) for every runnable command under the root, found by walking its groups."""
    found = []

    def walk(command: typing.Any, path: list[str]) -> None:
        if hasattr(command, "commands"):
            for name, sub in sorted(command.commands.items()):
                walk(sub, [*path, name])
        else:
            found.append((path, command))

    walk(typer.main.get_command(app), [])
    return found


def numeric_params(command: typing.Any) -> set[str]:
    """The names of the command's parameters annotated int or float (optional or not)."""
    hints = typing.get_type_hints(inspect.unwrap(command.callback))
    numeric = set()
    for name, hint in hints.items():
        options = (
            typing.get_args(hint)
            if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union
            else (hint,)
        )
        if any(option in (int, float) for option in options):
            numeric.add(name)
    return numeric


def bad_invocations() -> list[tuple[str, list[str]]]:
    cases = []
    for path, command in leaf_commands():
        name = " ".join(path)
        cases.append((f"{name}: unknown option", [*path, "--no-such-option"]))
        required = [p for p in command.params if p.required]
        if required:
            cases.append((f"{name}: missing {required[0].name}", path))
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        fillers = [NOT_A_NUMBER for p in arguments if p.required]
        for param in command.params:
            if param.name not in numeric_params(command):
                continue
            if param.param_type_name == "option":
                cases.append(
                    (f"{name}: {param.opts[0]} {NOT_A_NUMBER}", [*path, *fillers, param.opts[0], NOT_A_NUMBER])
                )
            else:
                cases.append((f"{name}: {param.name} {NOT_A_NUMBER}", [*path, *[NOT_A_NUMBER for _ in arguments]]))
    return cases


CASES = bad_invocations()


def test_the_tree_is_walked() -> None:
    names = {" ".join(path) for path, _ in leaf_commands()}
    assert {"serve", "api", "locations add", "pipelines launch", "components set"} <= names
    assert any("not-a-number" in " ".join(args) for _, args in CASES)


@pytest.mark.parametrize(("case", "args"), CASES, ids=[case for case, _ in CASES])
def test_bad_input_is_one_line_and_exit_2(case: str, args: list[str], capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "argv", ["data-manager", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    out, err = capsys.readouterr()
    assert exited.value.code == 2, (case, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), (case, err)
    assert "Traceback" not in out + err
