// The designer's browser steps against a live `data-manager api`, one screenshot per step.
// Usage: node designer_steps.mjs <api base url> <repository home> <output folder> <new location name>
// Prints one JSON line (what each step saw) for the pytest test to check; exits 1 on the first failure.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { launch, watchConsole } from "./browser.mjs";
import { dbtLineageSteps } from "./dbt_lineage_steps.mjs";
import { gitSteps } from "./git_steps.mjs";
import { instanceSteps } from "./instance_steps.mjs";
import { lineageSteps } from "./lineage_steps.mjs";

const [baseUrl, home, outDir, locationName] = process.argv.slice(2);
if (!locationName) {
  console.error("usage: node designer_steps.mjs <api url> <home> <output folder> <location name>");
  process.exit(2);
}
const SYNC_TYPE = "data_manager.components.SqlTableSyncComponent";
const INSTANCE = "shop_sync";
const SLOW = 240_000; // dg subprocesses on a busy 2-core machine
const result = { steps: [], screenshots: [] };

const browser = await launch();
const page = await browser.context.newPage();
const console_ = watchConsole(page);
let stepNumber = 0;

async function step(name, body) {
  stepNumber += 1;
  const started = Date.now();
  try {
    const seen = await body();
    const file = join(outDir, `${String(stepNumber).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    result.screenshots.push(file);
    result.steps.push({ name, seconds: (Date.now() - started) / 1000, ...(seen ?? {}) });
    if (console_.errors.length) throw new Error(`console errors: ${console_.errors.join(" | ")}`);
  } catch (error) {
    await page.screenshot({ path: join(outDir, `${String(stepNumber).padStart(2, "0")}-${name}-FAILED.png`), fullPage: true }).catch(() => {});
    const notice = await page.locator("footer.notice").textContent().catch(() => "");
    console.error(`step ${name} failed: ${error.message.split("\n")[0]} (notice: ${notice}; console: ${console_.errors.join(" | ").slice(0, 1500)})`);
    console.log(JSON.stringify({ ...result, failed: name, error: error.message.split("\n")[0] }));
    await browser.close();
    process.exit(1);
  }
}

let defsPath = null;
/** The instance's defs.yaml, where the API says it is. */
async function defsFile() {
  if (!defsPath) {
    const response = await fetch(`${baseUrl}/api/designer/locations/${locationName}/components`);
    const { components } = await response.json();
    defsPath = join(home, components.find((item) => item.path === INSTANCE).file);
  }
  return defsPath;
}
const instanceNode = () => page.getByTestId(`node-${INSTANCE}`);

await step("open", async () => {
  await page.goto(`${baseUrl}/designer/`);
  await page.getByRole("heading", { name: "Designer" }).waitFor();
  await page.locator(`.palette-item[data-type="${SYNC_TYPE}"]`).waitFor({ timeout: SLOW });
  return { palette: await page.locator(".palette-item").count() };
});

await step("palette-search", async () => {
  await page.getByLabel("Search components").fill("table sync");
  const shown = await page.locator(".palette-item").count();
  if (shown < 1 || (await page.locator(`.palette-item[data-type="${SYNC_TYPE}"]`).count()) !== 1) {
    throw new Error(`search for "table sync" shows ${shown} entries, not the SqlTableSyncComponent`);
  }
  await page.getByLabel("Filter by package").selectOption("data_manager.components");
  return { shown };
});

await step("new-location-refused", async () => {
  await page.getByRole("button", { name: "New location" }).click();
  const dialog = page.getByRole("dialog", { name: "New location" });
  await dialog.getByLabel("Name").fill("Bad-Name");
  const message = await dialog.getByRole("alert").textContent();
  if (!/lower-case/.test(message)) throw new Error(`no refusal for Bad-Name, saw "${message}"`);
  return { refusal: message };
});

await step("create-location", async () => {
  const dialog = page.getByRole("dialog", { name: "New location" });
  await dialog.getByLabel("Name").fill(locationName);
  await dialog.getByLabel("Template").selectOption("empty");
  await dialog.getByRole("button", { name: "Create location" }).click();
  await dialog.waitFor({ state: "hidden", timeout: SLOW });
  await page.waitForFunction((name) => document.querySelector('select[aria-label="Location"]')?.value === name, locationName);
  return { location: locationName };
});

await step("drag-component", async () => {
  // a new SqlTableSyncComponent has no source or tables yet: it stays a draft, nothing is written
  await page.locator(`.palette-item[data-type="${SYNC_TYPE}"]`).dragTo(page.locator(".canvas .react-flow__pane"));
  const dialog = page.getByRole("dialog", { name: "Add a component" });
  await dialog.getByLabel("Name").fill("Shop Sync");
  const refusal = await dialog.getByRole("alert").textContent();
  if (!/lower-case/.test(refusal)) throw new Error(`no refusal for "Shop Sync", saw "${refusal}"`);
  await dialog.getByLabel("Name").fill(INSTANCE);
  await dialog.getByRole("button", { name: "Add component" }).click();
  await dialog.waitFor({ state: "hidden", timeout: SLOW });
  await instanceNode().waitFor({ timeout: SLOW });
  await page.locator("#attr_source").waitFor({ timeout: SLOW });
  const hint = await page.locator(".instance-panel .hint").textContent({ timeout: SLOW });
  if (!/Not written yet/.test(hint)) throw new Error(`no draft hint, saw "${hint}"`);
  await page.getByText("● Unsaved changes").waitFor();
  const response = await fetch(`${baseUrl}/api/designer/locations/${locationName}/components`);
  const { components } = await response.json();
  if (components.some((item) => item.path === INSTANCE)) throw new Error("the draft was written before its form was saved");
  return { refusal, hint };
});

await step("save-refused-while-incomplete", async () => {
  // Save with the required fields empty: the server lists them, still nothing is written
  console_.expectHttpErrors = true;
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const notice = await page.locator(".notice").getByText(/Not saved/).textContent({ timeout: SLOW });
  if (!/source/.test(notice)) throw new Error(`the refusal does not name the missing source: ${notice}`);
  const response = await fetch(`${baseUrl}/api/designer/locations/${locationName}/components`);
  const { components } = await response.json();
  if (components.some((item) => item.path === INSTANCE)) throw new Error("an incomplete instance was written");
  console_.expectHttpErrors = false;
  return { notice };
});

await step("fill-form", async () => {
  await page.locator("#attr_source").selectOption("mysql");
  const add = page.locator("#attr_tables").getByRole("button", { name: "Add Item" }).or(page.locator(".rjsf .btn-add")).first();
  await add.click();
  await page.locator("#attr_tables_0").fill("customers");
  await add.click();
  await page.locator("#attr_tables_1").fill("orders");
  await page.getByText("● Unsaved changes").waitFor();
  // the form hands its data to the store after React's update: read it back before Save
  await page.getByRole("tab", { name: "YAML" }).click();
  await page.locator(".instance-panel").getByText("orders").first().waitFor({ timeout: SLOW });
  await page.getByRole("tab", { name: "Form" }).click();
  return {};
});

let savedText = "";
await step("save-and-preview", async () => {
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.locator(".notice").getByText(`Saved ${INSTANCE}.`).waitFor({ timeout: SLOW });
  await instanceNode().locator(".asset-row[data-asset]").nth(1).waitFor({ timeout: SLOW });
  const assets = await instanceNode().locator(".asset-row[data-asset]").evaluateAll((rows) => rows.map((row) => row.dataset.asset));
  const kinds = await instanceNode().locator(".kind").allTextContents();
  savedText = readFileSync(await defsFile(), "utf8");
  if (!/customers/.test(savedText) || !/orders/.test(savedText)) throw new Error(`defs.yaml lacks the tables:\n${savedText}`);
  if (await page.getByText("● Unsaved changes").count()) throw new Error("still marked unsaved after saving");
  return { assets, kinds: [...new Set(kinds)] };
});

await step("invalid-value", async () => {
  // source is a select of mysql/mssql: a value outside them can only be typed as a {{ template }}
  await page.locator("#attr_source").selectOption("{{ template }}");
  await page.getByRole("textbox", { name: "source: template expression" }).fill("oracle");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const fieldError = page.locator(".form-group", { has: page.locator("#attr_source") }).locator(".error-detail, .text-danger");
  await fieldError.first().waitFor();
  const message = await fieldError.first().textContent();
  if (readFileSync(await defsFile(), "utf8") !== savedText) throw new Error("defs.yaml changed although the value was refused");
  const badge = await instanceNode().locator(".badge-error").textContent();
  return { fieldError: message, nodeBadge: badge, fileUnchanged: true };
});

await step("api-error-on-field", async () => {
  // a value only the API's schema check refuses: chunk_rows takes a number or a template string, not a list
  console_.expectHttpErrors = true;
  await page.locator("#attr_source").selectOption("mysql");
  await page.getByRole("tab", { name: "YAML" }).click();
  const editor = page.locator(".monaco-editor").first();
  await editor.waitFor({ timeout: 60_000 });
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.press("Home");
  await page.keyboard.insertText("chunk_rows: [1, 2]");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const errors = page.getByRole("alert", { name: "Errors" });
  await errors.getByText("chunk_rows").waitFor({ timeout: SLOW });
  const yamlTabError = await errors.textContent();
  await page.getByRole("tab", { name: "Form" }).click();
  const fieldError = page.locator(".form-group", { has: page.locator("#attr_chunk_rows") }).locator(".error-detail, .text-danger");
  await fieldError.first().waitFor();
  if (readFileSync(await defsFile(), "utf8") !== savedText) throw new Error("defs.yaml changed although the API refused the value");
  console_.expectHttpErrors = false;
  return { yamlTabError, fieldError: await fieldError.first().textContent(), fileUnchanged: true };
});

await step("undo", async () => {
  await page.getByRole("button", { name: "Undo" }).click();
  await page.getByRole("button", { name: "Undo" }).click();
  const value = await page.locator("#attr_source").inputValue();
  if (await page.getByText("● Unsaved changes").count()) {
    // one more edit (the form's own) may stand between: undo until clean, at most a few
    for (let index = 0; index < 5 && (await page.getByText("● Unsaved changes").count()); index++) {
      await page.getByRole("button", { name: "Undo" }).click();
    }
  }
  const finalValue = await page.locator("#attr_source").inputValue();
  if (finalValue !== "mysql") throw new Error(`undo left source as "${finalValue}"`);
  if (await page.getByText("● Unsaved changes").count()) throw new Error("undo did not return to the saved state");
  return { afterTwoUndos: value, source: finalValue };
});

await step("export", async () => {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export ZIP" }).click()]);
  const file = join(outDir, `${locationName}.zip`);
  await download.saveAs(file);
  return { zip: file };
});

await gitSteps({ page, step, locationName, console_, instance: INSTANCE });
await lineageSteps({ page, step, baseUrl, home, locationName, console_, firstInstance: INSTANCE });
await instanceSteps({ page, step, baseUrl, home, locationName, console_ });

// Run it, live state and Files: on the sample location the live platform serves (the test connects the API to it).
const RUN_LOCATION = "sql_sync";
const PICKED = ["pyairbyte_cache/shop_customers", "pyairbyte_cache/shop_products"];
const MODEL = `dbt_models/models/staging/${RUN_LOCATION}/staging_shop_customers.sql`;
const SCHEMA = `dbt_models/models/staging/${RUN_LOCATION}/schema.yml`;
const RUN_TIMEOUT = 300_000;

await step("asset-keys-whole", async () => {
  // at the canvas's first fit, every asset row shows its key whole (nodes as wide as their rows), with it as the title
  await page.getByRole("combobox", { name: "Location", exact: true }).selectOption(RUN_LOCATION);
  await page.locator(`li[data-asset="${PICKED[0]}"] .asset-state`).waitFor({ timeout: SLOW });
  const rows = await page.locator(".canvas li.asset-row[data-asset]").evaluateAll((items) =>
    items.map((item) => {
      const key = item.querySelector(".asset-key");
      return { key: item.dataset.asset, shown: key.textContent, cut: key.scrollWidth > key.clientWidth + 1, title: item.title };
    }),
  );
  const cut = rows.filter((row) => row.cut || row.shown !== row.key).map((row) => row.key);
  if (!rows.length || cut.length) throw new Error(`asset keys cut short: ${cut.join(", ") || "no rows"}`);
  return { rows: rows.length, titled: rows.filter((row) => row.title.split("\n")[0] === row.key).length };
});

await step("select-and-run", async () => {
  await page.getByRole("combobox", { name: "Location", exact: true }).selectOption(RUN_LOCATION);
  await page.locator(`li[data-asset="${PICKED[0]}"] .asset-state`).waitFor({ timeout: SLOW });
  await page.getByLabel(`Select ${PICKED[0]} for a run`).check();
  await page.locator(`li[data-asset="${PICKED[1]}"] .asset-key`).click({ modifiers: ["Shift"] });
  if (!(await page.getByLabel(`Select ${PICKED[1]} for a run`).isChecked())) throw new Error("shift-click did not pick the asset");
  // a node's own checkbox picks all its assets (materialize the node), and unpicks them again
  const nodePick = page.getByLabel("Select every asset of shop_sync for a run");
  const nodeAssets = await page.getByTestId("node-shop_sync").locator(".asset-row[data-asset]").count();
  await nodePick.check();
  await page.getByRole("button", { name: `Run ${nodeAssets} selected` }).waitFor({ timeout: SLOW });
  await nodePick.uncheck();
  await page.getByRole("button", { name: "Run pipeline" }).waitFor({ timeout: SLOW });
  await page.getByLabel(`Select ${PICKED[0]} for a run`).check();
  await page.locator(`li[data-asset="${PICKED[1]}"] .asset-key`).click({ modifiers: ["Shift"] });
  await page.getByRole("button", { name: "Run 2 selected" }).click();
  const status = page.getByTestId("run-status");
  await status.filter({ hasText: /: (SUCCESS|FAILURE|CANCELED)/ }).waitFor({ timeout: RUN_TIMEOUT });
  const text = (await status.textContent()) ?? "";
  if (!text.includes("SUCCESS")) throw new Error(`the run did not succeed: ${text}`);
  await page.locator(`li[data-asset="${PICKED[0]}"] .asset-state[data-state="materialized"]`).waitFor({ timeout: SLOW });
  const link = await status.getByRole("link", { name: "open in Dagster" }).getAttribute("href");
  return { status: text, link, states: await page.locator(".asset-state").evaluateAll((items) => items.map((item) => item.dataset.state)) };
});

await step("live-state-refreshes", async () => {
  // A run launched outside the designer (as from the Dagster UI or a schedule) shows on the canvas by itself.
  const response = await fetch(`${baseUrl}/api/designer/locations/${RUN_LOCATION}/run`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ assets: [PICKED[0]] }),
  });
  if (response.status !== 201) throw new Error(`launching outside the designer: ${response.status} ${await response.text()}`);
  const { run_id: runId } = await response.json();
  const badge = page.locator(`li[data-asset="${PICKED[0]}"] .asset-state[title*="last run ${runId.slice(0, 8)} SUCCESS"]`);
  await badge.waitFor({ timeout: RUN_TIMEOUT });
  return { runId, title: await badge.getAttribute("title") };
});

await dbtLineageSteps({ page, step, baseUrl, home, location: RUN_LOCATION });

async function openFile(path) {
  await page.getByRole("navigation", { name: "Location files" }).getByTitle(path, { exact: true }).click();
  await page.locator(".file-editor strong").getByText(path, { exact: true }).waitFor({ timeout: SLOW });
  const editor = page.locator(".file-editor .monaco-editor");
  await editor.waitFor({ timeout: SLOW });
  await editor.click();
}

/** Whether the control is inside the window and the topmost element at its centre (nothing covers it). */
const reachable = (locator) =>
  locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return box.right <= window.innerWidth && box.bottom <= window.innerHeight && element.contains(hit);
  });

await step("files-small-window", async () => {
  // at 1280×800, with no file open, the Files tab's hint leaves the top bar usable
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole("tab", { name: "Files" }).click();
  await page.getByText("Pick a file to edit it.").waitFor({ timeout: SLOW });
  const topBar = {
    Pipelines: page.getByRole("link", { name: "Pipelines" }),
    Location: page.getByRole("combobox", { name: "Location", exact: true }),
    "New location": page.getByRole("button", { name: "New location" }),
    Git: page.getByRole("button", { name: "Git" }),
    Run: page.getByRole("button", { name: /^Run / }),
  };
  const covered = [];
  for (const [name, control] of Object.entries(topBar)) if (!(await reachable(control))) covered.push(name);
  if (covered.length) throw new Error(`covered or out of view at 1280×800: ${covered.join(", ")}`);
  const labels = await page.getByRole("navigation", { name: "Location files" }).getByRole("button").allTextContents();
  const shared = labels.filter((label, index) => labels.indexOf(label) !== index);
  if (shared.length || !labels.includes(SCHEMA)) throw new Error(`file labels not unique (${shared}) or ${SCHEMA} not shown whole`);
  return { reachable: Object.keys(topBar), labels: labels.length };
});

await step("files-edit", async () => {
  // still at 1280×800: the Save button is in view beside a long path, and Ctrl+S saves from the editor
  await openFile(MODEL);
  if (!(await reachable(page.getByRole("button", { name: "Save file" })))) throw new Error("Save file is covered or out of view");
  await page.keyboard.press("Control+End");
  await page.keyboard.insertText("\n-- reviewed in the designer");
  await page.keyboard.press("Control+S");
  await page.locator(".notice").getByText(`Saved ${MODEL}`).waitFor({ timeout: SLOW });
  const saved = readFileSync(join(home, MODEL), "utf8");
  if (!saved.includes("-- reviewed in the designer")) throw new Error("the model on disk lacks the edit");
  await page.setViewportSize({ width: 1600, height: 1000 });
  return { saved: true, savedWith: "Control+S" };
});

await step("files-invalid-yaml", async () => {
  const before = readFileSync(join(home, SCHEMA), "utf8");
  await openFile(SCHEMA);
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText("models: a: b");
  console_.expectHttpErrors = true;
  await page.getByRole("button", { name: "Save file" }).click();
  const problems = page.getByRole("alert", { name: "Problems in the file" });
  await problems.getByText(/invalid YAML/).waitFor({ timeout: SLOW });
  console_.expectHttpErrors = false;
  const fileUnchanged = readFileSync(join(home, SCHEMA), "utf8") === before;
  return { error: await problems.textContent(), fileUnchanged };
});

await step("keyboard", async () => {
  // every control has a name, and the palette's Add is reachable without a mouse
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll("button, input, select, a[href], [role=tab]")]
      .filter((element) => element.offsetParent !== null)
      .filter((element) => {
        const labelled = element.getAttribute("aria-label") || element.getAttribute("title") || element.textContent.trim();
        const byLabel = element.id && document.querySelector(`label[for="${element.id}"]`);
        return !labelled && !byLabel && !element.closest("label");
      })
      .map((element) => element.outerHTML.slice(0, 80)),
  );
  if (unnamed.length) throw new Error(`controls without a label: ${unnamed.join(", ")}`);
  await page.getByRole("button", { name: `Add ${SYNC_TYPE}` }).focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: "Add a component" });
  await dialog.waitFor();
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  return { unlabelled: 0 };
});

await browser.close();
console.log(JSON.stringify(result));
