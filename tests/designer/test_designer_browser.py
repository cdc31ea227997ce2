"""The designer in headless Chromium against a live `data-manager api` on a temporary copy of the repository.

The steps (designer_steps.mjs): open, search the palette, a refused and a created location, drag
SqlTableSyncComponent onto the canvas (a refused, then a valid name), fill source and tables, save and see the
assets, an invalid value shown on its field with defs.yaml unchanged, an error only the API finds shown on its
field, undo, export (the ZIP has the files); git_steps.mjs: one changed file unticked and the rest committed with a
message (git log shows it, the unticked file is still uncommitted), a new branch created and current, a switch
back refused in words for that uncommitted file; lineage_steps.mjs: an edge drawn to a
second instance (saved, in the preview), a cycle refused, a job of assets ticked on the canvas, a schedule from
the cron builder with its next five runs, the drawn edge removed; instance_steps.mjs: an instance duplicated
and the copy renamed from the property panel, one deleted with the Delete key (the confirmation lists the job
selecting its asset; after the cascade its files are gone and `dg check defs` passes), Undo restoring every file
byte for byte; zoomed in, Ctrl+Shift+Z redoing the delete (the busy indicator shown) and Ctrl+Z undoing it with
the view kept, also across a reload, Fit refitting, the Redo button, Delete asking only on the canvas; then, on
sql_sync with the API connected to the live platform (the shared `platform_stack`), every asset key shown whole,
two assets picked and run to SUCCESS with their live state shown, a run launched outside the page shown by the
live state's own refresh; dbt_lineage_steps.mjs: an edge drawn into a dbt model showing the diff of a dry run,
Cancel writing nothing, Write adding the model's dbt-source `depends_on` line, Undo putting it back; at 1280x800
the Files tab's hint leaving the top bar clickable and file labels unique, a model edited and saved with Ctrl+S
(Save in view), invalid YAML refused with the file unchanged; labels and keyboard. One screenshot per step in the
test's output folder; a console error in the browser fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.designer_support import GIT_IDENTITY, copy_repository
from data_manager.api.readiness import wait_until_healthy
from data_manager.errors import UserError
from data_manager.process_groups import free_port, stop_group

REPO = Path(__file__).resolve().parents[2]
STEPS = Path(__file__).with_name("designer_steps.mjs")
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

pytestmark = [pytest.mark.e2e, pytest.mark.seconds(220)]


def _require_tools() -> None:
    missing = []
    if shutil.which("node") is None:
        missing.append("node (Node.js 20+)")
    if not CHROMIUM.is_file():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not (REPO / "designer" / "dist" / "index.html").is_file():
        missing.append("designer/dist (make designer-build)")
    if not (REPO / "designer" / "node_modules" / "playwright-core").is_dir():
        missing.append("designer/node_modules/playwright-core (make designer-deps)")
    if missing:
        pytest.fail("the designer browser test needs: " + ", ".join(missing))


def _copy_repository(target: Path) -> Path:
    """The API tests' repository copy (own git history, dbt manifest, catalog cache), plus the built designer."""
    home = copy_repository(target)
    shutil.copytree(REPO / "designer" / "dist", home / "designer" / "dist")
    return home


@pytest.fixture
def live_api(tmp_path: Path, platform_stack) -> Iterator[tuple[str, Path]]:
    _require_tools()
    home = _copy_repository(tmp_path / "repo")
    port = free_port()
    env = {**os.environ, **GIT_IDENTITY, "DATA_PLATFORM_HOME": str(home), "DAGSTER_WEBSERVER_URL": platform_stack.url}
    for name in ("PLATFORM_API_TOKEN", "DAGSTER_UI_URL"):
        env.pop(name, None)
    log = (tmp_path / "api.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "data_manager.cli", "api", "--port", str(port)],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # stopped as a group: the API's dg fork server too
    )
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_until_healthy(url, timeout_s=60, process=process)
        except UserError as exc:
            pytest.fail(f"{exc}: {(tmp_path / 'api.log').read_text()[-4000:]}")
        httpx.get(f"{url}/api/designer/components", timeout=600).raise_for_status()  # warm the catalog
        yield url, home
    finally:
        stop_group(process, grace_s=15)
        log.close()


def test_designer_steps_in_a_real_browser(live_api: tuple[str, Path], tmp_path: Path, platform_stack) -> None:
    url, home = live_api
    shots = tmp_path / "screenshots"
    shots.mkdir()
    location = f"designer_e2e_{os.getpid()}"
    run = subprocess.run(
        ["node", str(STEPS), url, str(home), str(shots), location],
        capture_output=True,
        text=True,
        timeout=1500,
    )
    print(f"screenshots: {shots}")
    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    assert run.returncode == 0 and lines, f"browser steps failed:\n{run.stderr[-4000:]}\n{run.stdout[-2000:]}"
    report = json.loads(lines[-1])
    steps = {step["name"]: step for step in report["steps"]}
    print("step seconds:", {name: step["seconds"] for name, step in steps.items()})

    assert "lower-case" in steps["new-location-refused"]["refusal"]
    assert (home / "app" / "dagster_code" / location).is_dir()
    assert len(steps["save-and-preview"]["assets"]) >= 2
    assert any("customers" in key for key in steps["save-and-preview"]["assets"])
    assert "mysql" in steps["invalid-value"]["fieldError"]
    assert steps["invalid-value"]["fileUnchanged"] and steps["api-error-on-field"]["fileUnchanged"]
    assert steps["undo"]["source"] == "mysql"

    with zipfile.ZipFile(steps["export"]["zip"]) as archive:
        names = archive.namelist()
    assert any(name.endswith("shop_sync/defs.yaml") for name in names), names

    assert ": SUCCESS" in steps["select-and-run"]["status"]
    assert steps["select-and-run"]["link"].startswith(f"{platform_stack.url}/runs/")
    assert "materialized" in steps["select-and-run"]["states"]
    refreshed = steps["live-state-refreshes"]  # a run launched outside the page, shown without a click
    assert f"last run {refreshed['runId'][:8]} SUCCESS" in refreshed["title"]
    cancelled, wrote = steps["dbt-source-diff-cancel"], steps["dbt-source-write"]
    assert cancelled["model"].endswith("/staging_shop_products") and cancelled["fileUnchanged"]
    assert wrote["drawn"] and "source('shop', 'shop_orders')" in wrote["firstLine"]
    assert steps["dbt-source-undo"]["restored"]
    assert steps["files-small-window"]["reachable"] == ["Pipelines", "Location", "New location", "Git", "Run"]
    assert steps["files-edit"]["saved"] and steps["files-edit"]["savedWith"] == "Control+S"
    assert "invalid YAML" in steps["files-invalid-yaml"]["error"] and steps["files-invalid-yaml"]["fileUnchanged"]

    log = subprocess.run(["git", "log", "--format=%s"], cwd=home, capture_output=True, text=True, check=True).stdout
    assert log.splitlines()[0] == steps["commit"]["message"]
    _assert_git_steps(home, steps)
    assert steps["draw-edge"]["previewDeps"] == [steps["lineage-second-instance"]["upstream"]]
    assert "cycle" in steps["cycle-refused"]["refusal"] and steps["cycle-refused"]["fileUnchanged"]
    assert "crm_nightly" in steps["job-from-selection"]["jobs"]
    assert len(steps["schedule-cron-builder"]["runs"]) == 5
    assert steps["remove-drawn-edge"]["previewDeps"] == []
    duplicated = steps["duplicate-instance"]  # the new node comes selected, panned into view without Fit View
    assert duplicated["copy"] == "crm_sync_copy" and duplicated["inView"] is True
    assert steps["rename-instance"]["renamed"] == "crm_extra"
    assert "routes use" in steps["rename-instance"]["apiError"]
    assert any("job crm_nightly" in line for line in steps["delete-with-dependent"]["listed"])
    assert steps["delete-with-dependent"]["gone"] and steps["delete-with-dependent"]["checkOk"]
    assert steps["undo-restores-files"]["restored"] > 0
    keys = steps["redo-undo-keys-keep-the-view"]  # Ctrl+Shift+Z redid the delete, Ctrl+Z undid it
    assert keys["redoTitle"].startswith("Redo: delete crm_sync") and keys["redoTitle"].endswith("(Ctrl+Shift+Z)")
    assert any(text.startswith("Redoing delete crm_sync") for text in keys["busy"]), keys["busy"]
    assert keys["zoomed"] != keys["initial"] and keys["afterRedo"] == keys["zoomed"] == keys["afterUndo"]
    assert keys["restored"] > 0
    view = steps["view-kept-on-reload-fit-refits"]
    assert view["reloaded"] == view["kept"] and view["fitted"] != view["kept"] and view["shown"] == 1
    assert steps["redo-button"]["title"].startswith("Redo: delete crm_sync") and steps["redo-button"]["gone"]
    delete_key = steps["delete-key-asks-only-on-the-canvas"]  # in a field it edits; on the canvas it asks
    assert (delete_key["askedInField"], delete_key["kept"]) == (False, True)
    whole = steps["asset-keys-whole"]  # no key cut short at the first fit; each row titled with its key
    assert whole["rows"] > 0 and whole["titled"] == whole["rows"]
    assert len(report["screenshots"]) == len(report["steps"]) and all(Path(p).is_file() for p in report["screenshots"])


def _git(home: Path, *args: str) -> str:
    command = ["git", "-c", "core.quotepath=off", *args]
    return subprocess.run(command, cwd=home, capture_output=True, text=True, check=True).stdout


def _assert_git_steps(home: Path, steps: dict[str, dict]) -> None:
    """The change set committed is exactly the ticked files; the unticked one is still uncommitted; the new
    branch exists and is checked out, the switch back having been refused."""
    commit, branch, refused = steps["commit"], steps["git-new-branch"], steps["git-switch-refused"]
    assert commit["reasonWithoutMessage"] == "Enter a commit message."
    assert commit["stillListed"] == [commit["unticked"]]
    last = _git(home, "log", "-1", "--format=%s", "--name-only").splitlines()
    assert last[0] == commit["message"]
    assert sorted(line for line in last[1:] if line) == sorted(commit["committed"])
    assert commit["unticked"] not in last
    uncommitted = [line[3:] for line in _git(home, "status", "--porcelain", "--untracked-files=all").splitlines()]
    assert commit["unticked"] in uncommitted
    assert branch["shown"] == branch["branch"] != branch["previous"]
    assert branch["branch"] in _git(home, "branch", "--format=%(refname:short)").split()
    assert _git(home, "branch", "--show-current").strip() == branch["branch"]
    assert refused["current"] == branch["branch"] and "whole checkout" in refused["question"]
    assert "uncommitted" in refused["refusal"] and commit["unticked"] in refused["refusal"]
