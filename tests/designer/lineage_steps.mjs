// Browser steps of lineage edits and primitives, run by designer_steps.mjs once its location has the saved
// `shop_sync` instance: a second instance is added through the API, then on the canvas an edge is drawn
// (saved in YAML, shown in the preview), a cycle is refused with the file unchanged, a job is made from
// assets ticked on the canvas, a schedule from the cron builder showing its next five runs, and the drawn edge
// is removed again (its rule gone from the YAML).
import { readFileSync } from "node:fs";
import { join } from "node:path";

const SLOW = 240_000;
const SECOND = "crm_sync";

export async function lineageSteps({ page, step, baseUrl, home, locationName, console_, firstInstance }) {
  const api = `${baseUrl}/api/designer/locations/${locationName}`;
  const json = async (response) => {
    if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  const assetsOf = async (instance) =>
    (await json(await fetch(`${api}/preview`))).assets.filter((asset) => asset.component === instance);
  const defsFileOf = async (instance) => {
    const { components } = await json(await fetch(`${api}/components`));
    return join(home, components.find((item) => item.path === instance).file);
  };
  const handle = (side, key) => page.locator(`.react-flow__handle[data-handleid="${side}:${key}"]`);
  async function drag(from, to) {
    const start = await from.boundingBox();
    const end = await to.boundingBox();
    await page.mouse.move(start.x + start.width / 2, start.y + start.height / 2);
    await page.mouse.down();
    await page.mouse.move(end.x + end.width / 2, end.y + end.height / 2, { steps: 12 });
    await page.mouse.up();
  }
  let upstream = "";
  let downstream = "";

  await step("lineage-second-instance", async () => {
    const attributes = { source: "mysql", tables: ["contacts"], table_prefix: "crm_" };
    const type = "data_manager.components.SqlTableSyncComponent";
    await json(await fetch(`${api}/components`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ type, path: SECOND, attributes }) }));
    await page.goto(`${baseUrl}/designer/?location=${locationName}`);
    await page.getByTestId(`node-${SECOND}`).locator(".asset-row[data-asset]").first().waitFor({ timeout: SLOW });
    upstream = (await assetsOf(firstInstance))[0].key;
    downstream = (await assetsOf(SECOND))[0].key;
    return { upstream, downstream };
  });

  await step("draw-edge", async () => {
    await drag(handle("out", upstream), handle("in", downstream));
    await page.locator(".notice").getByText(`Saved: ${downstream} now depends on ${upstream}.`).waitFor({ timeout: SLOW });
    await page.locator(".react-flow__edge.edge-drawn").first().waitFor({ timeout: SLOW });
    const yaml = readFileSync(await defsFileOf(SECOND), "utf8");
    if (!yaml.includes("post_processing") || !yaml.includes(upstream)) throw new Error(`no post_processing rule in:\n${yaml}`);
    const deps = (await assetsOf(SECOND)).find((asset) => asset.key === downstream).deps;
    if (!deps.includes(upstream)) throw new Error(`the preview's deps of ${downstream} are ${deps}`);
    return { previewDeps: deps };
  });

  await step("cycle-refused", async () => {
    console_.expectHttpErrors = true;
    const before = readFileSync(await defsFileOf(firstInstance), "utf8");
    // the drawn edge moved crm_sync into a new rank; the canvas kept the view, so Fit View brings it back in
    await page.getByRole("button", { name: "Fit View" }).click();
    await page.waitForTimeout(500);
    await drag(handle("out", downstream), handle("in", upstream));
    const notice = page.locator(".notice").getByText(/Dependency not added: .*cycle/);
    await notice.waitFor({ timeout: SLOW });
    if (readFileSync(await defsFileOf(firstInstance), "utf8") !== before) throw new Error("defs.yaml changed although the cycle was refused");
    console_.expectHttpErrors = false;
    return { refusal: await notice.textContent(), fileUnchanged: true };
  });

  await step("job-from-selection", async () => {
    await page.getByRole("button", { name: "New job…" }).click();
    await page.getByLabel(`Pick ${upstream} for the job`).check();
    await page.getByLabel(`Pick ${downstream} for the job`).check();
    await page.getByRole("form", { name: "New job" }).getByLabel("Job name").fill("crm_nightly");
    await page.getByRole("button", { name: "Create job" }).click();
    await page.locator(".primitives-list").getByText("job crm_nightly").waitFor({ timeout: SLOW });
    const jobs = (await json(await fetch(`${api}/preview`))).jobs.map((job) => job.name);
    if (!jobs.includes("crm_nightly")) throw new Error(`the preview's jobs are ${jobs}`);
    return { jobs };
  });

  await step("schedule-cron-builder", async () => {
    await page.getByRole("button", { name: "New schedule…" }).click();
    const dialog = page.getByRole("dialog", { name: "New schedule" });
    await dialog.getByLabel("Name").fill("crm_weekdays");
    await dialog.getByLabel("Preset").selectOption({ label: "Weekdays at 06:00" });
    const words = await dialog.locator("#cron-words").textContent();
    if (words !== "At 06:00, Monday through Friday") throw new Error(`the cron reads "${words}"`);
    const runs = await dialog.getByRole("list", { name: "Next five runs" }).locator("li").allTextContents();
    if (runs.length !== 5 || !runs.every((run) => / at 06:00 UTC$/.test(run))) throw new Error(`next runs: ${runs}`);
    await dialog.getByRole("button", { name: "Create schedule" }).click();
    await dialog.waitFor({ state: "hidden", timeout: SLOW });
    await page.locator(".primitives-list").getByText("schedule crm_weekdays").waitFor({ timeout: SLOW });
    const schedules = (await json(await fetch(`${api}/preview`))).schedules;
    if (!schedules.some((item) => item.name === "crm_weekdays" && item.cron_schedule === "0 6 * * 1-5")) {
      throw new Error(`the preview's schedules are ${JSON.stringify(schedules)}`);
    }
    return { words, runs };
  });

  await step("remove-drawn-edge", async () => {
    await page.locator(".react-flow__edge.edge-drawn").first().click({ force: true });
    const bar = page.getByRole("group", { name: "Selected dependency" });
    await bar.getByRole("button", { name: "Remove dependency" }).click();
    await page.locator(".notice").getByText(`Removed the dependency of ${downstream} on ${upstream}.`).waitFor({ timeout: SLOW });
    const yaml = readFileSync(await defsFileOf(SECOND), "utf8");
    if (yaml.includes("post_processing")) throw new Error(`the rule is still there:\n${yaml}`);
    const deps = (await assetsOf(SECOND)).find((asset) => asset.key === downstream).deps;
    if (deps.length) throw new Error(`the preview still has deps ${deps}`);
    return { previewDeps: deps };
  });
}
