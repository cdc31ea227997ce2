// Browser steps of instance actions, run by designer_steps.mjs after the lineage steps (its location then has
// shop_sync, crm_sync, the job crm_nightly selecting an asset of each, and a schedule on that job): crm_sync is
// duplicated and the copy renamed from the property panel (a name only the API refuses: its error in the dialog);
// crm_sync is deleted with the Delete key, the confirmation listing the job that selects its asset, the cascade
// removing its files with `dg check defs` passing; the toolbar's Undo puts every file back byte for byte.
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
  async function selectNode(instance) {
    await page.getByTestId(`node-${instance}`).locator(".instance-header").click();
    await page.locator(".instance-panel h2").getByText(instance, { exact: true }).waitFor({ timeout: SLOW });
  }
  const defsFolder = dirname(await folderOf(TARGET));

  await step("duplicate-instance", async () => {
    await selectNode(TARGET);
    await page.getByRole("group", { name: "Component actions" }).getByRole("button", { name: "Duplicate…" }).click();
    const dialog = page.getByRole("dialog", { name: "Duplicate a component" });
    const suggested = await dialog.getByLabel("New name").inputValue();
    if (suggested !== COPY) throw new Error(`the suggested name is "${suggested}"`);
    await dialog.getByRole("button", { name: "Duplicate", exact: true }).click();
    await notice(`Duplicated ${TARGET} as ${COPY}.`);
    await page.getByTestId(`node-${COPY}`).waitFor({ timeout: SLOW });
    if (!existsSync(join(defsFolder, COPY, "defs.yaml"))) throw new Error(`no ${COPY}/defs.yaml on disk`);
    return { copy: COPY };
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
    await page.getByTestId(`node-${RENAMED}`).waitFor({ timeout: SLOW });
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
    await page.getByTestId(`node-${TARGET}`).waitFor({ timeout: SLOW });
    const after = snapshot(defsFolder);
    const differing = [...before.keys()].filter((path) => !after.get(path)?.equals(before.get(path)));
    if (differing.length || after.size !== before.size) throw new Error(`not restored byte for byte: ${differing.join(", ")}`);
    return { title, restored: before.size };
  });
}
