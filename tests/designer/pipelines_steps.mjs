// The Pipelines page's browser steps against a live stack (platform API + Dagster), one screenshot per step.
// Usage: node pipelines_steps.mjs <config.json>; the config names the API, the output folder, the records the
// test made (template, entity, a pipeline without artifacts), the documents to upload and register by path,
// and the report PDF the template editor previews (its header and rows: `report`).
// Prints one JSON line (what each step saw) for the pytest test; exits 1 at the first failing step.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { launch, watchConsole } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const RUN_TIMEOUT = 240_000; // a universal_pipeline run on a busy 2-core machine
const report = { steps: [], screenshots: [] };

const browser = await launch();
const page = await browser.context.newPage();
const consoleWatch = watchConsole(page);

/** Runs one step: its screenshot, what it saw, and a failure (or any console error) ends the script. */
async function step(name, body, { httpErrorsExpected = false } = {}) {
  const shot = (suffix = "") => join(config.outDir, `${String(report.steps.length + 1).padStart(2, "0")}-${name}${suffix}.png`);
  consoleWatch.expectHttpErrors = httpErrorsExpected;
  const started = performance.now();
  let seen;
  try {
    seen = (await body()) ?? {};
    if (consoleWatch.errors.length) throw new Error(`console errors: ${consoleWatch.errors.join(" | ")}`);
  } catch (error) {
    const reason = error.message.split("\n")[0];
    await page.screenshot({ path: shot("-FAILED"), fullPage: true }).catch(() => {});
    const notice = await page.locator("footer.notice").textContent().catch(() => "");
    console.error(`step ${name} failed: ${reason} (notice: ${notice}; console: ${consoleWatch.errors.join(" | ").slice(0, 1500)})`);
    console.log(JSON.stringify({ ...report, failed: name, error: reason }));
    await browser.close();
    process.exit(1);
  }
  await page.screenshot({ path: shot(), fullPage: true });
  report.screenshots.push(shot());
  report.steps.push({ name, seconds: Math.round(performance.now() - started) / 1000, ...seen });
  consoleWatch.expectHttpErrors = false;
}

const notice = () => page.locator("footer.notice");
const artifactForm = () => page.getByRole("form", { name: "Register an artifact" });
const pipelineForm = () => page.getByRole("form", { name: "New pipeline" });
const entityForm = () => page.getByRole("form", { name: /^(New entity|Edit entity)/ });
const templateForm = () => page.getByRole("form", { name: /^(New template|Template )/ });
const row = (name) => page.getByTestId(`pipeline-${name}`);
const sections = () => page.getByRole("navigation", { name: "Sections" });
const pdfReport = config.report;

/** Opens a section of the page from its navigation, as a user does. */
async function openSection(title) {
  await sections().getByRole("link", { name: title, exact: true }).click();
  await page.waitForFunction((name) => document.querySelector('nav[aria-label="Sections"] [aria-current="page"]')?.textContent === name, title);
}

/** Chooses the option of a select whose text starts with `text`. */
async function chooseByText(select, text) {
  const value = await select.evaluate((element, start) => [...element.options].find((option) => option.text.startsWith(start))?.value, text);
  if (value === undefined) throw new Error(`no option starting with ${text}`);
  await select.selectOption(value);
}

/** Waits until an element's aria-invalid is "true" (the API's error is on it). */
async function invalid(control) {
  await page.waitForFunction((element) => element.getAttribute("aria-invalid") === "true", await control.elementHandle());
}

/** The preview's records as the table shows them: one object per row, by column header. */
async function previewRecords() {
  return page.evaluate(() => {
    const table = document.querySelector(".records-table");
    if (!table) return [];
    const headers = [...table.querySelectorAll("thead th")].map((cell) => cell.textContent.trim());
    return [...table.querySelectorAll("tbody tr")].map((tr) => {
      const cells = [...tr.children];
      return Object.fromEntries(cells.map((cell, index) => [headers[index], cell.firstChild?.textContent?.trim() ?? ""]));
    });
  });
}

/** The preview as it stands once no request is pending: summary, outlines on the shown page, records. */
async function settledPreview() {
  await page.waitForFunction(() => document.querySelector(".preview-panel")?.getAttribute("aria-busy") === "false");
  await page.waitForFunction(() => {
    const image = document.querySelector(".page-canvas img");
    return !image || (image.complete && image.naturalWidth > 0);
  });
  const outlines = await page.locator(".page-canvas g.table-outline").evaluateAll((groups) =>
    groups.map((group) => {
      const box = (rect) => ["x", "y", "width", "height"].map((key) => Number(rect.getAttribute(key)));
      return {
        used: group.classList.contains("table-used"),
        title: group.querySelector("title").textContent,
        rows: group.querySelectorAll(".row-mark").length,
        box: box(group.querySelector("rect")), // the table's outline, then each used row's mark, in points
        marks: [...group.querySelectorAll(".row-mark")].map(box),
      };
    }),
  );
  return {
    summary: (await page.locator(".preview-state").textContent()).trim(),
    image: await page.locator(".page-canvas img").getAttribute("src"),
    imageLoaded: await page.locator(".page-canvas img").evaluate((img) => img.complete && img.naturalWidth > 0),
    outlines,
    records: await previewRecords(),
  };
}

/** The text of what describes a control (its errors), through aria-describedby. */
async function description(control) {
  const id = await control.getAttribute("aria-describedby");
  return (await page.locator(`[id="${id}"]`).textContent()).trim();
}

await step("open-from-the-designer", async () => {
  await page.goto(`${config.apiUrl}/designer/`);
  const link = page.getByRole("link", { name: "Pipelines" });
  await link.focus();
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { level: 1, name: "Pipelines" }).waitFor();
  await row(config.idlePipeline).waitFor();
  return { url: page.url() };
});

await step("create-entity", async () => {
  await openSection("Entities");
  const form = entityForm();
  await form.getByLabel("Name", { exact: true }).fill(pdfReport.entityName);
  await form.getByLabel("Table", { exact: true }).fill(pdfReport.table);
  await form.getByLabel("Column 1 name").fill("Report Date"); // not a column name: refused on its row
  for (const [index, column] of pdfReport.columns.entries()) {
    if (index > 0) {
      await form.getByRole("button", { name: "Add column" }).click();
      await form.getByLabel(`Column ${index + 1} name`).fill(column.name);
    }
    await form.getByLabel(`Column ${index + 1} type`).selectOption(column.type);
  }
  await form.getByLabel("Column 1 unique key").check();
  await form.getByRole("button", { name: "Create entity" }).click();
  const first = form.getByLabel("Column 1 name");
  await invalid(first);
  const refused = await description(first);
  await first.fill(pdfReport.columns[0].name);
  await form.getByRole("button", { name: "Create entity" }).click();
  await notice().getByText(`Created entity ${pdfReport.entityName}`).waitFor();
  const cells = await page.getByTestId(`entity-${pdfReport.entityName}`).locator("th, td").allTextContents();
  return { refused, cells };
}, { httpErrorsExpected: true });

await step("edit-entity", async () => {
  await page.getByRole("button", { name: `Edit ${pdfReport.entityName}` }).click();
  const form = page.getByRole("form", { name: `Edit entity ${pdfReport.entityName}` });
  await form.getByRole("button", { name: "Add column" }).click();
  const added = pdfReport.columns.length + 1;
  await form.getByLabel(`Column ${added} name`).fill("note");
  await form.getByRole("button", { name: "Save entity" }).click();
  await notice().getByText(`Saved entity ${pdfReport.entityName}`).waitFor();
  await page.getByRole("form", { name: "New entity" }).waitFor(); // the form is back to creating
  return { cells: await page.getByTestId(`entity-${pdfReport.entityName}`).locator("th, td").allTextContents() };
});

await step("upload-pdf", async () => {
  await openSection("Artifacts");
  const form = artifactForm();
  await form.getByLabel("File", { exact: true }).setInputFiles(pdfReport.pdf);
  await form.getByLabel("Name", { exact: true }).fill(pdfReport.artifactName);
  await form.getByRole("button", { name: "Register artifact" }).click();
  await notice().getByText(`Registered artifact ${pdfReport.artifactName}`).waitFor();
  return { cells: await page.getByTestId(`artifact-${pdfReport.artifactName}`).locator("th, td").allTextContents() };
});

await step("template-editor-preview", async () => {
  await openSection("Templates");
  await page.getByRole("link", { name: "New template" }).click();
  const form = templateForm();
  await form.getByLabel("Name", { exact: true }).fill(pdfReport.templateName);
  await form.getByLabel("Strategy", { exact: true }).selectOption("table_detection");
  for (const [index, field] of pdfReport.fields.entries()) {
    if (index > 0) await form.getByRole("button", { name: "Add field" }).click();
    await form.getByLabel(`Field ${index + 1} name`).fill(field.name);
    await form.getByLabel(`Field ${index + 1} type`).selectOption(field.type);
    await form.getByLabel(`Field ${index + 1} selector`).fill(field.selector);
  }
  await page.getByLabel("Preview artifact").selectOption({ label: `${pdfReport.artifactName} (application/pdf)` });
  await page.locator(".records-table").waitFor({ timeout: 60_000 });
  const seen = await settledPreview();
  const pages = await page.getByLabel("Page", { exact: true }).locator("option").allTextContents();
  return { ...seen, pages };
}, { httpErrorsExpected: true });

await step("preview-other-pages", async () => {
  const pages = [];
  const count = await page.getByLabel("Page", { exact: true }).locator("option").count();
  for (let index = 1; index < count; index += 1) {
    await page.getByRole("button", { name: "Next page" }).click();
    await page.waitForFunction((number) => document.querySelector(".page-canvas img")?.getAttribute("src")?.includes(`/pages/${number}.png`), index + 1);
    await page.waitForFunction(() => document.querySelector(".page-canvas img")?.complete);
    pages.push({ page: index + 1, ...(await settledPreview()) });
  }
  await page.getByLabel("Page", { exact: true }).selectOption({ index: 0 });
  return { pages };
});

await step("change-selector", async () => {
  const form = templateForm();
  const before = (await settledPreview()).records;
  const [index, field] = [...pdfReport.fields.entries()].find(([, item]) => item.name === pdfReport.changed.field);
  await form.getByLabel(`Field ${index + 1} selector`).fill(pdfReport.changed.selector);
  const column = field.name;
  await page.waitForFunction(
    ([name, value]) => {
      const table = document.querySelector(".records-table");
      if (!table || document.querySelector(".preview-panel").getAttribute("aria-busy") !== "false") return false;
      const at = [...table.querySelectorAll("thead th")].findIndex((cell) => cell.textContent.trim() === name);
      return table.querySelector("tbody tr")?.children[at]?.firstChild?.textContent.trim() === value;
    },
    [column, pdfReport.changed.firstValue],
    { timeout: 60_000 },
  );
  const after = (await settledPreview()).records;
  await form.getByLabel(`Field ${index + 1} selector`).fill(field.selector); // back to the right column
  await page.waitForFunction(
    ([name, value]) => {
      const table = document.querySelector(".records-table");
      const at = [...(table?.querySelectorAll("thead th") ?? [])].findIndex((cell) => cell.textContent.trim() === name);
      return document.querySelector(".preview-panel").getAttribute("aria-busy") === "false" && table?.querySelector("tbody tr")?.children[at]?.firstChild?.textContent.trim() === value;
    },
    [column, before[0][column]],
    { timeout: 60_000 },
  );
  return { before: before[0], after: after[0], column };
});

await step("invalid-selector-on-its-field", async () => {
  const form = templateForm();
  const [index, field] = [...pdfReport.fields.entries()].find(([, item]) => item.name === pdfReport.changed.field);
  const selector = form.getByLabel(`Field ${index + 1} selector`);
  await selector.fill("#0");
  await invalid(selector);
  const error = await description(selector);
  const problem = await page.getByRole("alert", { name: "Preview problem" }).textContent();
  await selector.fill(field.selector);
  await page.waitForFunction((element) => element.getAttribute("aria-invalid") === "false", await selector.elementHandle(), { timeout: 60_000 });
  return { error, problem };
}, { httpErrorsExpected: true });

/** Answers the page's dialogs in turn ("dismiss" or "accept"), noting each one's type and question. */
function answerDialogs(target, answers) {
  const seen = [];
  const onDialog = async (dialog) => {
    seen.push({ type: dialog.type(), message: dialog.message() });
    await (answers[seen.length - 1] === "accept" ? dialog.accept() : dialog.dismiss());
  };
  target.on("dialog", onDialog);
  return { seen, waitFor: (count) => waitUntil(() => seen.length >= count, `dialog ${count}`), stop: () => target.off("dialog", onDialog) };
}

async function waitUntil(condition, what, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

await step("leave-template-editor-asks", async () => {
  // the editor holds an unsaved new template: a section link and the back button ask first; "stay" keeps it all
  const dialogs = answerDialogs(page, ["dismiss", "dismiss"]);
  await sections().getByRole("link", { name: "Entities", exact: true }).click();
  await dialogs.waitFor(1);
  await page.evaluate(() => window.history.back());
  await dialogs.waitFor(2);
  await page.waitForTimeout(300); // a router that heard the back step would have unmounted the editor by now
  dialogs.stop();
  return {
    questions: dialogs.seen.map((dialog) => dialog.message),
    hash: new URL(page.url()).hash,
    templateName: await templateForm().getByLabel("Name", { exact: true }).inputValue(),
    records: (await previewRecords()).length,
  };
});

await step("unsaved-entity-on-unload", async () => {
  // its own tab: were the unload not refused, the tab the other steps use would be gone
  const tab = await browser.context.newPage();
  const tabWatch = watchConsole(tab);
  await tab.goto(`${config.apiUrl}/designer/#/pipelines/entities`);
  const name = tab.getByRole("form", { name: "New entity" }).getByLabel("Name", { exact: true });
  await name.click(); // a user's gesture: Chromium asks on unload only after one
  await name.pressSequentially("left unsaved");
  const dialogs = answerDialogs(tab, ["dismiss", "accept"]);
  await tab.close({ runBeforeUnload: true });
  await dialogs.waitFor(1);
  await tab.waitForTimeout(300);
  const stayed = !tab.isClosed();
  await tab.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Artifacts", exact: true }).click();
  await dialogs.waitFor(2);
  await tab.getByRole("form", { name: "Register an artifact" }).waitFor();
  dialogs.stop();
  await tab.close();
  if (tabWatch.errors.length) throw new Error(`console errors in the second tab: ${tabWatch.errors.join(" | ")}`);
  return { dialogs: dialogs.seen, stayed };
});

await step("save-template", async () => {
  await templateForm().getByRole("button", { name: "Create template" }).click();
  await notice().getByText(`Created template ${pdfReport.templateName}.`).waitFor();
  await page.waitForFunction(() => /#\/pipelines\/templates\/\d+$/.test(window.location.hash));
  await page.getByRole("heading", { name: `Template ${pdfReport.templateName}` }).waitFor();
  const unsaved = await page.getByText("unsaved changes").count();
  await page.locator(".records-table").waitFor({ timeout: 60_000 });
  return { hash: new URL(page.url()).hash, unsaved, preview: await settledPreview() };
});

await step("upload-artifact", async () => {
  await openSection("Artifacts");
  const form = artifactForm();
  await form.getByLabel("File", { exact: true }).setInputFiles(config.uploadFile);
  await form.getByLabel("Name", { exact: true }).fill("uploaded feed");
  await form.getByRole("button", { name: "Register artifact" }).click();
  await notice().getByText("Registered artifact uploaded feed").waitFor();
  await page.getByTestId("artifact-uploaded feed").waitFor();
  return { notice: await notice().textContent() };
});

await step("register-path-refused", async () => {
  const form = artifactForm();
  await form.getByLabel("A path or URL").check();
  await form.getByLabel("Path or URL", { exact: true }).fill("relative/feed.json");
  await form.getByRole("button", { name: "Register artifact" }).click();
  const field = form.getByLabel("Path or URL", { exact: true });
  await page.waitForFunction((element) => element.getAttribute("aria-invalid") === "true", await field.elementHandle());
  return { fieldError: await description(field) };
}, { httpErrorsExpected: true });

await step("register-path", async () => {
  const form = artifactForm();
  await form.getByLabel("Path or URL", { exact: true }).fill(config.pathFile);
  await form.getByLabel("Name", { exact: true }).fill("feed on disk");
  await form.getByRole("button", { name: "Register artifact" }).click();
  await notice().getByText("Registered artifact feed on disk").waitFor();
  await page.getByTestId("artifact-feed on disk").waitFor();
  return {};
});

await step("edit-artifact", async () => {
  await page.getByTestId("artifact-feed on disk").getByRole("button", { name: "Edit feed on disk" }).click();
  const form = page.getByRole("form", { name: "Edit artifact feed on disk" });
  await form.getByLabel("Name", { exact: true }).fill("");
  await form.getByRole("button", { name: "Save artifact" }).click();
  await invalid(form.getByLabel("Name", { exact: true }));
  const refused = await description(form.getByLabel("Name", { exact: true }));
  await form.getByLabel("Name", { exact: true }).fill("feed on disk, renamed");
  await form.getByRole("button", { name: "Save artifact" }).click();
  await notice().getByText("Saved artifact feed on disk, renamed.").waitFor();
  await artifactForm().waitFor(); // back to registering
  return { refused, cells: await page.getByTestId("artifact-feed on disk, renamed").locator("th, td").allTextContents() };
}, { httpErrorsExpected: true });

await step("disable-enable-artifact", async () => {
  const name = "feed on disk, renamed";
  const artifactRow = () => page.getByTestId(`artifact-${name}`);
  await artifactRow().getByRole("button", { name: `Disable ${name}` }).click();
  await notice().getByText(`Disabled the artifact ${name}.`).waitFor();
  await artifactRow().getByText("disabled").waitFor();
  const disabled = await artifactRow().locator("th, td").allTextContents();
  await artifactRow().getByRole("button", { name: `Enable ${name}` }).click();
  await notice().getByText(`Enabled the artifact ${name}.`).waitFor();
  await artifactRow().getByRole("button", { name: `Disable ${name}` }).waitFor();
  const stored = await page.evaluate(async (artifact) => (await (await fetch("/api/artifacts")).json()).find((item) => item.name === artifact), name);
  return { disabled, enabled: await artifactRow().locator("th, td").allTextContents(), storedEnabled: stored.enabled };
});

await step("leave-artifact-forms-asks", async () => {
  // an unsaved artifact edit: editing another artifact, a section link and the back button ask; "stay" keeps it
  const name = "feed on disk, renamed";
  await page.getByTestId(`artifact-${name}`).getByRole("button", { name: `Edit ${name}` }).click();
  const form = page.getByRole("form", { name: `Edit artifact ${name}` });
  await form.getByLabel("Name", { exact: true }).fill("an unsaved name");
  const dialogs = answerDialogs(page, ["dismiss", "dismiss", "dismiss", "accept"]);
  await page.getByTestId("artifact-uploaded feed").getByRole("button", { name: "Edit uploaded feed" }).click();
  await dialogs.waitFor(1);
  await sections().getByRole("link", { name: "Entities", exact: true }).click();
  await dialogs.waitFor(2);
  await page.evaluate(() => window.history.back());
  await dialogs.waitFor(3);
  await page.waitForTimeout(300); // a router that heard the back step would have unmounted the form by now
  const kept = { hash: new URL(page.url()).hash, name: await form.getByLabel("Name", { exact: true }).inputValue() };
  await form.getByRole("button", { name: "Cancel editing" }).click();
  // the register form with a typed path asks too; accepted, the page leaves
  await artifactForm().getByLabel("A path or URL").check();
  await artifactForm().getByLabel("Path or URL", { exact: true }).fill("/srv/left/unsaved.json");
  await sections().getByRole("link", { name: "Entities", exact: true }).click();
  await dialogs.waitFor(4);
  await entityForm().waitFor();
  dialogs.stop();
  return { questions: dialogs.seen.map((dialog) => dialog.message), kept, left: new URL(page.url()).hash };
});

await step("unsaved-artifact-on-unload", async () => {
  // closing and reloading the tab ask too, for both artifact forms: "stay" keeps the edit, "leave" drops it
  const tab = await browser.context.newPage();
  const tabWatch = watchConsole(tab);
  await tab.goto(`${config.apiUrl}/designer/#/pipelines/artifacts`);
  const register = tab.getByRole("form", { name: "Register an artifact" });
  await register.getByLabel("A path or URL").check(); // a user's gesture: Chromium asks on unload only after one
  await register.getByLabel("Path or URL", { exact: true }).fill("/srv/left/unsaved.json");
  const dialogs = answerDialogs(tab, ["dismiss", "dismiss", "accept"]);
  await tab.close({ runBeforeUnload: true });
  await dialogs.waitFor(1);
  await tab.waitForTimeout(300);
  const registerStayed = !tab.isClosed() && (await register.getByLabel("Path or URL", { exact: true }).inputValue());
  await register.getByLabel("Path or URL", { exact: true }).fill(""); // the register form holds nothing now
  const name = pdfReport.artifactName;
  await tab.getByTestId(`artifact-${name}`).getByRole("button", { name: `Edit ${name}` }).click();
  const edit = tab.getByRole("form", { name: `Edit artifact ${name}` });
  await edit.getByLabel("Name", { exact: true }).fill("renamed, never saved");
  await tab.close({ runBeforeUnload: true });
  await dialogs.waitFor(2);
  await tab.waitForTimeout(300);
  const editStayed = !tab.isClosed() && (await edit.getByLabel("Name", { exact: true }).inputValue());
  await tab.reload(); // "leave": the page reloads without the edit
  await dialogs.waitFor(3);
  await tab.getByTestId(`artifact-${name}`).waitFor();
  const afterReload = { editForms: await edit.count(), hash: new URL(tab.url()).hash };
  dialogs.stop();
  await tab.close();
  if (tabWatch.errors.length) throw new Error(`console errors in the second tab: ${tabWatch.errors.join(" | ")}`);
  return { dialogs: dialogs.seen.map((dialog) => dialog.type), registerStayed, editStayed, afterReload };
});

await step("bad-input-on-its-field", async () => {
  await openSection("Pipelines");
  const form = pipelineForm();
  await form.getByLabel("Name", { exact: true }).fill(config.pipelineName);
  await form.getByLabel("Entity").selectOption(String(config.entityId));
  await form.getByLabel("Batch size").fill("0");
  await form.getByRole("button", { name: "Create pipeline" }).click();
  const batch = form.getByLabel("Batch size");
  await page.waitForFunction((element) => element.getAttribute("aria-invalid") === "true", await batch.elementHandle());
  return {
    batchSizeError: await description(batch),
    templateError: await description(form.getByLabel("Template")),
    notice: await notice().textContent(),
  };
}, { httpErrorsExpected: true });

await step("create-pipeline", async () => {
  const form = pipelineForm();
  await form.getByLabel("Template").selectOption(String(config.templateId));
  await form.getByLabel("Batch size").fill("500");
  await form.getByLabel("Load strategy").selectOption("upsert");
  await form.getByLabel(/^uploaded feed/).check();
  await form.getByLabel(/^feed on disk/).check();
  await form.getByRole("button", { name: "Create pipeline" }).click();
  await notice().getByText(`Created pipeline ${config.pipelineName}.`).waitFor();
  await row(config.pipelineName).getByText("never run").waitFor();
  const invalid = await form.locator('[aria-invalid="true"]').count();
  return { cells: await row(config.pipelineName).locator("th, td").allTextContents(), invalidAfter: invalid };
});

await step("disable-artifact-for-run", async () => {
  // the pipeline's run below skips it, and the run panel says so
  const name = "feed on disk, renamed";
  await openSection("Artifacts");
  await page.getByTestId(`artifact-${name}`).getByRole("button", { name: `Disable ${name}` }).click();
  await notice().getByText(`Disabled the artifact ${name}.`).waitFor();
  await openSection("Pipelines");
  return {};
});

/** A count list's label and value pairs, as the page words them. */
const countPairs = (testId) => page.getByTestId(testId).locator("div").evaluateAll((items) => items.map((item) => [item.querySelector("dt").textContent, item.querySelector("dd").textContent]));

await step("launch-to-success", async () => {
  const button = row(config.pipelineName).getByRole("button", { name: `Launch ${config.pipelineName}` });
  await button.focus();
  await page.keyboard.press("Enter"); // keyboard only
  await notice().getByText(`Launched ${config.pipelineName}`).waitFor();
  const status = page.getByTestId("run-status");
  await status.getByText("SUCCESS").waitFor({ timeout: RUN_TIMEOUT });
  const log = page.getByRole("log");
  await log.getByText(/loaded \d+ records into/).waitFor({ timeout: 60_000 });
  await page.getByRole("heading", { name: "Log", exact: true }).waitFor({ timeout: 60_000 }); // the stream has ended
  const lines = await log.locator("li").allTextContents();
  await page.locator(".run-facts dd").nth(2).getByText(/^\d+$/).waitFor({ timeout: 60_000 }); // counts from the sensor
  const facts = await page.locator(".run-facts dd").allTextContents();
  await page.getByTestId("run-skips").waitFor({ timeout: 60_000 });
  return { runId: await page.getByLabel(/^Run of/).inputValue(), status: "SUCCESS", lines, facts, skips: await countPairs("run-skips") };
});

await step("list-shows-last-run", async () => {
  await row(config.pipelineName).getByText("SUCCESS").waitFor({ timeout: 30_000 });
  return { cells: await row(config.pipelineName).locator("th, td").allTextContents() };
});

await step("launch-refused", async () => {
  await row(config.idlePipeline).getByRole("button", { name: `Launch ${config.idlePipeline}` }).click();
  const refusal = page.getByRole("alert", { name: `Why ${config.idlePipeline} was not launched` });
  await refusal.waitFor();
  return { errors: await refusal.locator("li").allTextContents() };
}, { httpErrorsExpected: true });

await step("report-pipeline-run-counts", async () => {
  const form = pipelineForm();
  await form.getByLabel("Name", { exact: true }).fill(pdfReport.pipelineName);
  await chooseByText(form.getByLabel("Template"), `${pdfReport.templateName} (`);
  await chooseByText(form.getByLabel("Entity"), `${pdfReport.entityName} (`);
  await form.getByLabel(new RegExp(`^${pdfReport.artifactName}`)).check();
  await form.getByLabel("Failure policy").selectOption("continue");
  await form.getByRole("button", { name: "Create pipeline" }).click();
  await notice().getByText(`Created pipeline ${pdfReport.pipelineName}.`).waitFor();
  await row(pdfReport.pipelineName).getByRole("button", { name: `Launch ${pdfReport.pipelineName}` }).click();
  const progress = [];
  const status = page.getByTestId("run-status");
  const deadline = Date.now() + RUN_TIMEOUT;
  while (!(await status.getByText("SUCCESS").count())) {
    if (await status.getByText(/FAILURE|CANCELED/).count()) throw new Error(`the report run ended ${await status.textContent()}: ${await page.locator(".run-panel .errors").allTextContents()}`);
    if (Date.now() > deadline) throw new Error("the report run did not end in time");
    const line = page.getByTestId("run-progress");
    const text = (await line.count()) ? await line.textContent({ timeout: 500 }).catch(() => null) : null; // gone once the run ends
    if (text) progress.push(text);
    await page.waitForTimeout(200);
  }
  await page.getByTestId("run-counts").waitFor({ timeout: 60_000 });
  const counts = await countPairs("run-counts");
  const skips = await countPairs("run-skips");
  const facts = await page.locator(".run-facts dd").allTextContents();
  return { runId: await page.getByLabel(/^Run of/).inputValue(), progress: [...new Set(progress)], counts, skips, facts };
});

await step("edit-pipeline", async () => {
  await row(pdfReport.pipelineName).getByRole("button", { name: `Edit ${pdfReport.pipelineName}` }).click();
  const form = page.getByRole("form", { name: `Edit pipeline ${pdfReport.pipelineName}` });
  await form.getByLabel("Batch size").fill("0");
  await form.getByRole("button", { name: "Save pipeline" }).click();
  await invalid(form.getByLabel("Batch size"));
  const refused = await description(form.getByLabel("Batch size"));
  await form.getByLabel("Batch size").fill("250");
  await form.getByLabel("Description").fill("edited in the browser");
  await form.getByRole("button", { name: "Save pipeline" }).click();
  await notice().getByText(`Saved pipeline ${pdfReport.pipelineName}.`).waitFor();
  await pipelineForm().waitFor(); // back to "New pipeline"
  const stored = await page.evaluate(async (name) => (await (await fetch("/api/pipelines")).json()).find((item) => item.name === name), pdfReport.pipelineName);
  return { refused, batchSize: stored.batch_size, description: stored.description };
}, { httpErrorsExpected: true });

await step("disable-pipeline", async () => {
  await row(pdfReport.pipelineName).getByRole("button", { name: `Disable ${pdfReport.pipelineName}` }).click();
  await notice().getByText(`Disabled the pipeline ${pdfReport.pipelineName}.`).waitFor();
  await row(pdfReport.pipelineName).getByText("disabled").waitFor();
  await row(pdfReport.pipelineName).getByRole("button", { name: `Launch ${pdfReport.pipelineName}` }).click();
  const refusal = page.getByRole("alert", { name: `Why ${pdfReport.pipelineName} was not launched` });
  await refusal.waitFor();
  return { cells: await row(pdfReport.pipelineName).locator("th, td").allTextContents(), refusal: await refusal.locator("li").allTextContents() };
}, { httpErrorsExpected: true });

await step("delete-pipeline", async () => {
  await row(pdfReport.pipelineName).getByRole("button", { name: `Delete ${pdfReport.pipelineName}` }).click();
  const confirm = page.getByRole("group", { name: `Confirm deleting ${pdfReport.pipelineName}` });
  const question = await confirm.textContent();
  await confirm.getByRole("button", { name: `Yes, delete ${pdfReport.pipelineName}` }).click();
  await notice().getByText(`Deleted the pipeline ${pdfReport.pipelineName}.`).waitFor();
  await row(pdfReport.pipelineName).waitFor({ state: "detached" });
  return { question };
});

await step("delete-template-entity-artifact", async () => {
  const removed = {};
  for (const [section, kind, name] of [
    ["Templates", "template", pdfReport.templateName],
    ["Entities", "entity", pdfReport.entityName],
    ["Artifacts", "artifact", pdfReport.artifactName],
  ]) {
    await openSection(section);
    await page.getByTestId(`${kind}-${name}`).getByRole("button", { name: `Delete ${name}` }).click();
    const confirm = page.getByRole("group", { name: `Confirm deleting ${name}` });
    removed[kind] = await confirm.textContent();
    await confirm.getByRole("button", { name: `Yes, delete ${name}` }).click();
    await notice().getByText(`Deleted the ${kind} ${name}.`).waitFor();
    await page.getByTestId(`${kind}-${name}`).waitFor({ state: "detached" });
  }
  await openSection("Pipelines");
  return { removed };
});

await step("labels-and-keyboard", async () => {
  // every visible control has an accessible name from a label, its text or aria-label
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, button, a[href], [tabindex]")]
      .filter((element) => element.getClientRects().length > 0)
      .filter((element) => {
        const labels = element.labels ? [...element.labels].map((label) => label.textContent.trim()).join("") : "";
        const named = element.getAttribute("aria-label") || element.getAttribute("aria-labelledby");
        return !labels && !named && !element.textContent.trim();
      })
      .map((element) => element.outerHTML.slice(0, 100)),
  );
  if (unnamed.length) throw new Error(`controls without a name: ${unnamed.join(", ")}`);
  // Tab reaches the Launch buttons and the forms' submit buttons
  const reached = new Set();
  const wanted = [`Launch ${config.pipelineName}`, `Edit ${config.pipelineName}`, `Delete ${config.pipelineName}`, "Create pipeline", "Templates"];
  for (let presses = 0; presses < 300 && wanted.some((name) => !reached.has(name)); presses += 1) {
    await page.keyboard.press("Tab");
    reached.add(await page.evaluate(() => document.activeElement?.getAttribute("aria-label") || document.activeElement?.textContent?.trim() || ""));
  }
  const missed = wanted.filter((name) => !reached.has(name));
  if (missed.length) throw new Error(`Tab never reached: ${missed.join(", ")}`);
  return { unnamed: 0 };
});

await browser.close();
console.log(JSON.stringify(report));
