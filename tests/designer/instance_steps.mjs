// Browser steps of instance actions, run by designer_steps.mjs after the lineage steps (its location then has
// shop_sync, crm_sync, the job crm_nightly selecting an asset of each, and a schedule on that job): crm_sync is
// duplicated and the copy renamed from the property panel (a name only the API refuses: its error in the dialog);
// crm_sync is deleted with the Delete key, the confirmation listing the job that selects its asset, the cascade
// removing its files with `dg check defs` passing; the toolbar's Undo puts every file back byte for byte. Then the
// keys and the view: zoomed in by the wheel, Ctrl+Shift+Z redoes the delete (the busy indicator showing while the
// API's answer is held back 800 ms) and Ctrl+Z undoes it, the view staying put through both and a reload; the
// Fit control refits (the canvas no longer refits after an edit: a node an edit adds comes selected and is panned
// into view; one it moves out of the view is brought in with Fit View, as a user would); the toolbar's Redo deletes it again; Delete in a form field asks nothing, on the canvas it
// asks and Cancel keeps the instance.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const SLOW = 240_000;
const TARGET = "crm_sync";
const COPY = "crm_sync_copy";
const RENAMED = "crm_extra";

/** Every file under `folder` (no __pycache__), path -> bytes. */
function snapshot(folder) {
  const files = new Map();
  for (const entry of readdirSync(folder, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath ?? entry.path, entry.name);
    if (entry.isFile() && !path.includes("__pycache__")) files.set(path, readFileSync(path));
  }
  return files;
}

export async function instanceSteps({ page, step, baseUrl, home, locationName, console_ }) {
  const api = `${baseUrl}/api/designer/locations/${locationName}`;
  const json = async (response) => {
    if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  const folderOf = async (instance) => {
    const { components } = await json(await fetch(`${api}/components`));
    return join(home, dirname(components.find((item) => item.path === instance).file));
  };
  const notice = (text) => page.locator(".notice").getByText(text).waitFor({ timeout: SLOW });
  /** The canvas keeps the user's view across edits (and draws only what is in it): a node an edit added or moved
   * out of the view is brought in by Fit View, pressed until the node is drawn. */
  async function showNode(instance) {
    const node = page.getByTestId(`node-${instance}`);
    const deadline = Date.now() + SLOW;
    do {
      if (Date.now() > deadline) throw new Error(`the node ${instance} was never drawn`);
      await page.getByRole("button", { name: "Fit View" }).click();
      await page.waitForTimeout(500);
    } while (!(await node.count()));
  }
  async function selectNode(instance) {
    await showNode(instance);
    await page.getByTestId(`node-${instance}`).locator(".instance-header").click();
    await page.locator(".instance-panel h2").getByText(instance, { exact: true }).waitFor({ timeout: SLOW });
  }
  const defsFolder = dirname(await folderOf(TARGET));

  await step("duplicate-instance", async () => {
    await selectNode(TARGET);
    // the view dragged down until the node is at its bottom edge: its copy, laid out below it, lands out of view
    const pane = await page.locator(".canvas .react-flow__pane").boundingBox();
    const target = await page.getByTestId(`node-${TARGET}`).boundingBox();
    const from = { x: pane.x + 20, y: pane.y + pane.height / 2 }; // empty pane, left of the nodes, below the panel
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x, from.y + (pane.y + pane.height - target.y - 40), { steps: 10 });
    await page.mouse.up();
    await page.waitForTimeout(300);
    await page.getByRole("group", { name: "Component actions" }).getByRole("button", { name: "Duplicate…" }).click();
    const dialog = page.getByRole("dialog", { name: "Duplicate a component" });
    const suggested = await dialog.getByLabel("New name").inputValue();
    if (suggested !== COPY) throw new Error(`the suggested name is "${suggested}"`);
    await dialog.getByRole("button", { name: "Duplicate", exact: true }).click();
    await notice(`Duplicated ${TARGET} as ${COPY}.`);
    // the new node comes selected and is panned into view: drawn whole inside the canvas without Fit View
    const copyNode = page.getByTestId(`node-${COPY}`);
    await copyNode.waitFor({ timeout: 10_000 });
    await page.waitForTimeout(400); // the 200 ms pan ends
    const box = await copyNode.boundingBox();
    const inView = box.x >= pane.x && box.y >= pane.y && box.x + box.width <= pane.x + pane.width && box.y + box.height <= pane.y + pane.height;
    if (!existsSync(join(defsFolder, COPY, "defs.yaml"))) throw new Error(`no ${COPY}/defs.yaml on disk`);
    return { copy: COPY, inView };
  });

  await step("rename-instance", async () => {
    await selectNode(COPY);
    await page.getByRole("group", { name: "Component actions" }).getByRole("button", { name: "Rename…" }).click();
    const dialog = page.getByRole("dialog", { name: "Rename a component" });
    await dialog.getByLabel("New name").fill("Crm Extra");
    const refusal = await dialog.getByRole("alert").first().textContent();
    if (!/lower-case/.test(refusal)) throw new Error(`no refusal for "Crm Extra", saw "${refusal}"`);
    // a name the client's check lets through but the API refuses (a word of its routes): shown in the dialog
    console_.expectHttpErrors = true;
    await dialog.getByLabel("New name").fill("references");
    await dialog.getByRole("button", { name: "Rename", exact: true }).click();
    const apiError = await dialog.getByRole("alert", { name: "Errors" }).getByText(/a word the designer's routes use/).textContent({ timeout: SLOW });
    console_.expectHttpErrors = false;
    if (!existsSync(join(defsFolder, COPY))) throw new Error(`${COPY} moved although the API refused the name`);
    await dialog.getByLabel("New name").fill(RENAMED);
    await dialog.getByRole("button", { name: "Rename", exact: true }).click();
    await notice(`Renamed ${COPY} to ${RENAMED}.`);
    await showNode(RENAMED);
    const moved = existsSync(join(defsFolder, RENAMED, "defs.yaml")) && !existsSync(join(defsFolder, COPY));
    if (!moved) throw new Error(`${COPY} was not moved to ${RENAMED} on disk`);
    return { refusal, apiError, renamed: RENAMED };
  });

  let before = new Map();
  await step("delete-with-dependent", async () => {
    before = snapshot(defsFolder);
    await selectNode(TARGET);
    await page.keyboard.press("Delete");
    const dialog = page.getByRole("dialog", { name: "Delete a component" });
    const references = dialog.getByRole("list", { name: "References" });
    await references.getByText(/job crm_nightly/).waitFor({ timeout: SLOW });
    const listed = await references.locator("li").allTextContents();
    await dialog.getByRole("button", { name: /^Delete with 1 reference/ }).click();
    await notice(`Deleted ${TARGET}. Undo puts it back.`);
    await page.getByTestId(`node-${TARGET}`).waitFor({ state: "detached", timeout: SLOW });
    if (existsSync(join(defsFolder, TARGET))) throw new Error(`${TARGET}'s folder is still on disk`);
    const check = await json(await fetch(`${api}/check`, { method: "POST" }));
    if (!check.ok) throw new Error(`dg check defs fails after the delete: ${JSON.stringify(check.errors)}`);
    return { listed, gone: true, checkOk: check.ok };
  });

  await step("undo-restores-files", async () => {
    const undo = page.getByRole("button", { name: "Undo", exact: true });
    const title = await undo.getAttribute("title");
    await undo.click();
    await notice(/^Undone: delete crm_sync/);
    await showNode(TARGET);
    const after = snapshot(defsFolder);
    const differing = [...before.keys()].filter((path) => !after.get(path)?.equals(before.get(path)));
    if (differing.length || after.size !== before.size) throw new Error(`not restored byte for byte: ${differing.join(", ")}`);
    return { title, restored: before.size };
  });

  const viewport = () => page.locator(".canvas .react-flow__viewport").evaluate((element) => element.style.transform);
  const redoUrl = `**/api/designer/locations/${locationName}/redo`;
  const holdBack = async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 800)); // the real API answers, later: the busy indicator shows
    await route.continue();
  };

  await step("redo-undo-keys-keep-the-view", async () => {
    const initial = await viewport();
    const pane = await page.locator(".canvas .react-flow__pane").boundingBox();
    await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(800); // the wheel's zoom ends, and is kept
    const zoomed = await viewport();
    const redoTitle = await page.getByRole("button", { name: "Redo", exact: true }).getAttribute("title");
    await page.route(redoUrl, holdBack);
    await page.evaluate(() => {
      window.busySeen = [];
      new MutationObserver(() => {
        const busy = document.querySelector('.topbar [role="status"][aria-label="Busy"]');
        if (busy) window.busySeen.push(busy.textContent.trim());
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
      document.activeElement?.blur(); // the keys go to the page, not to a field
    });
    await page.keyboard.press("Control+Shift+Z");
    await notice(/^Redone: delete crm_sync/); // the canvas is redrawn before the notice
    await page.unroute(redoUrl, holdBack);
    const busy = [...new Set(await page.evaluate(() => window.busySeen))];
    const afterRedo = await viewport();
    if (existsSync(join(defsFolder, TARGET))) throw new Error(`${TARGET}'s folder is on disk after the redo`);
    await page.keyboard.press("Control+Z");
    await notice(/^Undone: delete crm_sync/);
    const after = snapshot(defsFolder);
    const differing = [...before.keys()].filter((path) => !after.get(path)?.equals(before.get(path)));
    if (differing.length || after.size !== before.size) throw new Error(`Ctrl+Z did not restore byte for byte: ${differing.join(", ")}`);
    return { redoTitle, busy, initial, zoomed, afterRedo, afterUndo: await viewport(), restored: after.size };
  });

  await step("view-kept-on-reload-fit-refits", async () => {
    const kept = await viewport();
    await page.reload();
    await page
      .waitForFunction((transform) => document.querySelector(".canvas .react-flow__viewport")?.style.transform === transform, kept, { timeout: 60_000 })
      .catch(() => {}); // compared below
    const reloaded = await viewport();
    await showNode(TARGET);
    const shown = await page.getByTestId(`node-${TARGET}`).count();
    return { kept, reloaded, fitted: await viewport(), shown };
  });

  await step("redo-button", async () => {
    const redo = page.getByRole("button", { name: "Redo", exact: true });
    await redo.waitFor();
    const title = await redo.getAttribute("title");
    await redo.click();
    await notice(/^Redone: delete crm_sync/);
    return { title, gone: !existsSync(join(defsFolder, TARGET)) };
  });

  await step("delete-key-asks-only-on-the-canvas", async () => {
    const other = "shop_sync";
    await selectNode(other);
    const dialog = page.getByRole("dialog", { name: "Delete a component" });
    await page.locator("#attr_cursor_column").click();
    await page.keyboard.press("End");
    await page.keyboard.press("Delete"); // edits the field
    await page.waitForTimeout(300);
    const askedInField = await dialog.isVisible();
    await page.getByTestId(`node-${other}`).locator(".instance-header").click();
    await page.keyboard.press("Delete");
    await dialog.waitFor({ timeout: SLOW });
    await dialog.getByRole("button", { name: "Cancel", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    return { askedInField, kept: (await page.getByTestId(`node-${other}`).count()) === 1 };
  });
}
