// The Pipelines page's browser steps against a live stack (platform API + Dagster), one screenshot per step.
// Usage: node pipelines_steps.mjs <config.json>; the config names the API, the output folder, the records the
// test made (template, entity, a pipeline without artifacts) and the documents to upload and register by path.
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
const row = (name) => page.getByTestId(`pipeline-${name}`);

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

await step("upload-artifact", async () => {
  const form = artifactForm();
  await form.getByLabel("File", { exact: true }).setInputFiles(config.uploadFile);
  await form.getByLabel("Name", { exact: true }).fill("uploaded feed");
  await form.getByRole("button", { name: "Register artifact" }).click();
  await notice().getByText("Registered artifact uploaded feed").waitFor();
  await pipelineForm().getByLabel(/^uploaded feed/).waitFor();
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
  await pipelineForm().getByLabel(/^feed on disk/).waitFor();
  return {};
});

await step("bad-input-on-its-field", async () => {
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
  return { runId: await page.getByLabel(/^Run of/).inputValue(), status: "SUCCESS", lines, facts };
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
  for (let presses = 0; presses < 80; presses += 1) {
    await page.keyboard.press("Tab");
    reached.add(await page.evaluate(() => document.activeElement?.getAttribute("aria-label") || document.activeElement?.textContent?.trim() || ""));
  }
  const wanted = [`Launch ${config.pipelineName}`, "Create pipeline", "Register artifact"];
  const missed = wanted.filter((name) => !reached.has(name));
  if (missed.length) throw new Error(`Tab never reached: ${missed.join(", ")}`);
  return { unnamed: 0 };
});

await browser.close();
console.log(JSON.stringify(report));
