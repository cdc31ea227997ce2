"""Pure helpers of the designer: path gate, YAML round trips and bombs, dg output parsing, env references."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_manager.designer.dg.output import problems_from_output
from data_manager.designer.env_refs import NAMED_REF, TEMPLATE_REF
from data_manager.designer.layout import path_problems
from data_manager.designer.yaml_files import dump, load_documents, merge_into, problems_in_text

BILLION_LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n"
)


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("../etc", "'..'"),
        ("a/../../b", "'..'"),
        ("/etc/passwd", "absolute"),
        ("C:/x", "absolute"),
        ("a\\b", "backslash"),
        ("a b", "identifier"),
        ("", "empty"),
        ("/".join(["a"] * 9), "deeper"),
    ],
)
def test_bad_instance_paths_are_named(path: str, fragment: str) -> None:
    problems = path_problems(path)
    assert problems and any(fragment in problem for problem in problems)


def test_good_instance_paths_pass() -> None:
    assert path_problems("shop_sync") == [] and path_problems("ingest/shop_sync") == []


def test_merge_keeps_comments_and_key_order() -> None:
    text = "# head\ntype: x.Y\nattributes:\n  # which source\n  source: mysql  # inline\n  tables: [a]\n  mode: full\n"
    document = load_documents(text)[0]
    merge_into(document["attributes"], {"source": "mysql", "tables": ["a", "b"], "mode": "incremental", "new": 1})
    out = dump(document)
    assert out.startswith("# head\ntype: x.Y\n")
    assert "# which source\n  source: mysql  # inline\n" in out
    assert out.index("source") < out.index("tables") < out.index("mode") < out.index("new")
    assert "tables: [a, b]" in out and "mode: incremental" in out


def test_yaml_bombs_deep_nesting_and_bad_syntax_are_refused_without_building() -> None:
    assert any("aliases" in problem.message for problem in problems_in_text(BILLION_LAUGHS))
    assert any("deeper" in problem.message for problem in problems_in_text("a: " + "[" * 40 + "]" * 40))
    (problem,) = problems_in_text("a: [1, 2\nb: c\n")
    assert problem.message.startswith("invalid YAML") and problem.line is not None
    assert "KiB" in problems_in_text("a: " + "x" * 300_000)[0].message


def test_dg_validation_output_becomes_field_pinned_problems(tmp_path: Path) -> None:
    defs = tmp_path / "app" / "defs.yaml"
    defs.parent.mkdir()
    defs.write_text("type: a.B\nattributes:\n  source: mysql\n  bogus: 1\n  mode: 5\n")
    output = (
        "pydantic_core._pydantic_core.ValidationError: 3 validation errors for BModel\n"
        f"`attributes.mode.literal['full','incremental'] at {defs}:5`\n"
        "  Input should be 'full' or 'incremental' [type=literal_error, input_value=5, input_type=int]\n"
        f"`attributes.mode.str at {defs}:5`\n"
        "  Input should be a valid string [type=string_type, input_value=5, input_type=int]\n"
        f"`attributes.bogus at {defs}:4`\n"
        "  Extra inputs are not permitted [type=extra_forbidden, input_value=1, input_type=int]\n"
        f"`attributes.tables at {defs}:2`\n"
        "  Field required [type=missing]\n"
    )
    problems = problems_from_output(output, tmp_path)
    assert [(p.path, p.line, p.message) for p in problems] == [
        (("attributes", "mode"), 5, "Input should be 'full' or 'incremental' (got 5)"),
        (("attributes", "bogus"), 4, "Extra inputs are not permitted (got 1)"),
        (("attributes", "tables"), 2, "Field required"),
    ]
    assert all(problem.file == "app/defs.yaml" for problem in problems)


def test_dg_exception_lines_are_kept_when_nothing_is_located(tmp_path: Path) -> None:
    output = "Traceback...\nModuleNotFoundError: No module named 'nope'\n"
    assert [p.message for p in problems_from_output(output, tmp_path)] == [
        "ModuleNotFoundError: No module named 'nope'"
    ]


def test_env_references_are_found_in_templates_and_named_attributes() -> None:
    text = "url: '{{ env.MSSQL_URL }}'\nother: \"{{ env('API_KEY') }}\"\n  password_env: SHOP_PASSWORD  # note\n"
    assert {a or b for a, b in TEMPLATE_REF.findall(text)} == {"MSSQL_URL", "API_KEY"}
    assert NAMED_REF.findall(text) == ["SHOP_PASSWORD"]


def test_template_alternatives_accept_only_templates_but_optional_strings_stay() -> None:
    import jsonschema

    from data_manager.designer.catalog import templates_only_where_typed

    schema = templates_only_where_typed(
        {
            "type": "object",
            "properties": {
                "mode": {"anyOf": [{"enum": ["full", "incremental"], "type": "string"}, {"type": "string"}]},
                "tables": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
                "cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
        }
    )
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"mode": "full", "tables": ["a"], "cursor": "id"})
    assert validator.is_valid({"mode": "{{ env.MODE }}", "tables": "{{ env.TABLES }}", "cursor": None})
    assert not validator.is_valid({"mode": "sometimes"})
    assert not validator.is_valid({"tables": "customers"})


def test_dg_batch_reads_dg_stdout_only_on_a_first_run(tmp_path: Path) -> None:
    """On a machine where dagster never ran, it prints its telemetry notice (to stderr) first: not JSON."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import sys; from click.testing import CliRunner; from data_manager.designer.dg.batch import _dg; "
        "sys.stdout.write(_dg(CliRunner(), 'list', 'components', '--json'))"
    )
    environment = {**os.environ, "HOME": str(tmp_path)}
    environment.pop("DAGSTER_HOME", None)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / ".dagster" / ".telemetry").is_dir(), "the first-run notice was not triggered"
    listed = json.loads(done.stdout)
    items = listed["items"] if isinstance(listed, dict) else listed
    assert any(item["key"] == "dagster.TemplatedSqlComponent" for item in items)
