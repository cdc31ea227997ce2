"""Tables stay whole when stdout is not a terminal (CI logs, pipes, `docker compose exec -T`)."""

from __future__ import annotations

import io
from pathlib import Path

from data_manager.table_output import plain_table, print_table, progress_console
from platform_support import make_home, run_cli


def test_plain_table_aligns_columns_and_never_cuts() -> None:
    long = "a_location_name_far_longer_than_eighty_columns_" * 3
    text = plain_table(["name", "status"], [[long, "ok"], ["x", "FAILED"]])
    lines = text.splitlines()
    assert lines[1] == f"{long}  ok"
    assert lines[2].startswith("x ") and lines[2].endswith("  FAILED")
    assert lines[0].index("status") == lines[1].index("ok") == lines[2].index("FAILED")


def test_print_table_is_plain_when_not_a_terminal() -> None:
    stream = io.StringIO()
    print_table(["a", "b"], [["1", "2"]], stream)
    assert stream.getvalue() == "a  b\n1  2\n"


def test_locations_list_piped_keeps_every_description_whole(tmp_path: Path) -> None:
    home = make_home(tmp_path / "home")
    description = "a very long description that would be cut at eighty columns by rich " * 2
    added = run_cli(home, "locations", "add", "airbyte_example_with_a_long_name", "--description", description)
    assert added.returncode == 0, added.stderr
    listed = run_cli(home, "locations", "list")
    assert listed.returncode == 0, listed.stderr
    assert "airbyte_example_with_a_long_name" in listed.stdout and description.strip() in listed.stdout
    assert "…" not in listed.stdout


def test_progress_lines_are_not_wrapped_when_piped(monkeypatch) -> None:
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    line = "dbt manifest ready: " + "/very/long/path" * 10 + " (10 models, 37 tests, 8 sources) in 1.6s"
    progress_console().print(line)
    assert piped.getvalue() == line + "\n"
