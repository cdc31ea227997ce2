"""A generated notebook runs top to bottom with nbclient + ipykernel against the live fixture webserver."""

from __future__ import annotations

import asyncio

import nbformat
import pytest
from nbclient import NotebookClient

from daglab import session as dl

pytestmark = pytest.mark.e2e


def test_daglab_generated_notebook_executes(webserver, daglab_cli, tmp_path) -> None:
    path = tmp_path / "orders.ipynb"
    result = daglab_cli("notebook", "--assets", "orders/raw,orders/clean", "-o", str(path), "--url", webserver.url)
    assert result.code == 0, result.output
    again = daglab_cli("notebook", "--job", "ok_job", "-o", str(path))
    assert again.code == 2 and "--force" in again.stderr
    notebook = nbformat.read(str(path), as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = "\n".join(
        output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    )
    assert "server version" in text
    assert "orders/clean  group=sales" in text
    assert "SUCCESS after" in text
    assert "RUN_SUCCESS" in text


def test_daglab_session_keeps_one_client(webserver, tmp_path) -> None:
    client = dl.configure(url=webserver.url)
    assert dl.get_client() is client, "the default client is kept across calls (cells)"
    assert [j.name for j in dl.discover_jobs(pattern="*ok*")] == ["ok_job"]
    assert [a.path for a in dl.discover_assets(groups=["crm"])] == ["customers/profiles"]
    config_file = tmp_path / "cfg.yaml"
    config_file.write_text("ops:\n  load:\n    config: {rows: oops}\n")
    result, perf = dl.track_performance(
        "validate", dl.validate_config, "config_job", dl.load_config_from_file(config_file)
    )
    assert not result.valid and {e.path for e in result.errors} == {"ops.load.config.rows", "ops.load.config.table"}
    assert perf.operation == "validate" and perf.seconds > 0
    memory = dl.get_memory_usage()
    assert 0 < memory.rss_mb <= memory.peak_rss_mb

    async def async_side() -> tuple[list[str], bool]:
        assets = await dl.discover_assets_async(pattern="orders/*")
        valid = await dl.validate_config_async("config_job", {"ops": {"load": {"config": {"rows": 1, "table": "t"}}}})
        return [a.path for a in assets], valid.valid

    assert asyncio.run(async_side()) == (["orders/clean", "orders/raw"], True)
