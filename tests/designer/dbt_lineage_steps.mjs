// Browser steps of a dependency drawn into a dbt model, run by designer_steps.mjs on the sql_sync location (its
// dbt staging models on the canvas): the edge opens "Add a dbt source" with the diff of a dry run; Cancel writes
// nothing; drawn again, Write adds the `depends_on` line of the model's SQL (through the project's own `shop` source,
// which already names the asset: no designer_sources.yml), journalled, and Undo puts the file back byte for byte.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const SLOW = 240_000;
const UPSTREAM = "pyairbyte_cache/shop_orders";
const MODEL_NAME = "staging_shop_products";

export async function dbtLineageSteps({ page, step, baseUrl, home, location }) {
  const api = `${baseUrl}/api/designer/locations/${location}`;
  const folder = join(home, "dbt_models", "models", "staging", location);
  const modelFile = join(folder, `${MODEL_NAME}.sql`);
  const designerSources = join(folder, "designer_sources.yml");
  const line = "-- depends_on: {{ source('shop', 'shop_orders') }} (drawn in the designer)";
  const dialog = page.getByRole("dialog", { name: "Add a dbt source" });
  const before = readFileSync(modelFile, "utf8");
  let model = "";

  async function drawIntoModel() {
    await page.getByRole("button", { name: "Fit View" }).click();
    await page.waitForTimeout(500);
    const from = await page.locator(`.react-flow__handle[data-handleid="out:${UPSTREAM}"]`).boundingBox();
    const to = await page.locator(`.react-flow__handle[data-handleid="in:${model}"]`).boundingBox();
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
    await page.mouse.up();
    await dialog.waitFor({ timeout: SLOW });
    return (await dialog.getByLabel("Diff of the dbt files").textContent()) ?? "";
  }

  await step("dbt-source-diff-cancel", async () => {
    const response = await fetch(`${api}/preview`);
    if (!response.ok) throw new Error(`preview: HTTP ${response.status}`);
    const found = (await response.json()).assets.find((item) => item.kinds.includes("dbt") && item.key.endsWith(`/${MODEL_NAME}`));
    if (!found || found.deps.includes(UPSTREAM)) throw new Error(`no dbt model ${MODEL_NAME} free to depend on ${UPSTREAM}: ${JSON.stringify(found)}`);
    model = found.key;
    const diff = await drawIntoModel();
    if (!diff.includes(`${MODEL_NAME}.sql`) || !diff.includes(`+${line}`)) throw new Error(`unexpected diff:\n${diff}`);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden", timeout: SLOW });
    await page.locator(".notice").getByText(`Nothing written: ${model} does not depend on ${UPSTREAM}.`).waitFor({ timeout: SLOW });
    const fileUnchanged = readFileSync(modelFile, "utf8") === before && !existsSync(designerSources);
    if (!fileUnchanged) throw new Error("Cancel changed the dbt files");
    return { model, diffLines: diff.split("\n").length, fileUnchanged };
  });

  await step("dbt-source-write", async () => {
    await drawIntoModel();
    await dialog.getByRole("button", { name: "Write" }).click();
    await page.locator(".notice").getByText(`Saved: ${model} now depends on ${UPSTREAM}.`).waitFor({ timeout: SLOW });
    await dialog.waitFor({ state: "hidden", timeout: SLOW });
    const sql = readFileSync(modelFile, "utf8");
    if (sql !== `${line}\n${before}`) throw new Error(`the model's SQL is:\n${sql}`);
    const { edges } = await (await fetch(`${api}/lineage`)).json();
    const drawn = edges.some((edge) => edge.source === UPSTREAM && edge.target === model && edge.origin === "drawn");
    if (!drawn) throw new Error(`the lineage has no drawn ${UPSTREAM} → ${model}`);
    return { firstLine: line, drawn, designerSourcesFile: existsSync(designerSources) };
  });

  await step("dbt-source-undo", async () => {
    const undo = page.getByRole("button", { name: "Undo", exact: true });
    const title = await undo.getAttribute("title");
    if (title !== `Undo: draw ${UPSTREAM} → ${model} (Ctrl+Z)`) throw new Error(`the Undo button offers "${title}"`);
    await undo.click();
    await page.locator(".notice").getByText(`Undone: draw ${UPSTREAM} → ${model}.`).waitFor({ timeout: SLOW });
    const restored = readFileSync(modelFile, "utf8") === before;
    if (!restored) throw new Error("Undo left the model's SQL changed");
    return { restored };
  });
}
