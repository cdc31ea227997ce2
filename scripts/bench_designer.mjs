// Browser half of `make bench-designer` (scripts/bench_designer.py starts the API and prints the JSON line).
// Usage: node bench_designer.mjs <api url> <sample location> <sample instance>
// Prints one JSON object: first canvas render of the sample, 1000-asset layout+draw, form render.
import { launch, watchConsole } from "../tests/designer/browser.mjs";

const [baseUrl, sample, sampleInstance] = process.argv.slice(2);
const SYNTHETIC = "bench_synthetic_1000";
const ASSETS = 1000;
const PER_INSTANCE = 20;

/** ms from a performance mark to the frame after `ready()` holds in the page. */
async function sinceMark(page, mark, ready, arg) {
  await page.waitForFunction(ready, arg, { timeout: 120_000, polling: "raf" });
  return page.evaluate(
    (name) =>
      new Promise((resolve) =>
        requestAnimationFrame(() => resolve(performance.now() - performance.getEntriesByName(name).at(-1).startTime)),
      ),
    mark,
  );
}

/** Frames the page drew per second while `action` ran; throws when the canvas's viewport did not move. */
async function framesWhile(page, action) {
  const viewport = () => page.evaluate(() => document.querySelector(".react-flow__viewport").style.transform);
  const before = await viewport();
  await page.evaluate(() => {
    const counter = { frames: 0, start: performance.now(), on: true };
    window.benchFrames = counter;
    const tick = () => {
      if (!counter.on) return;
      counter.frames++;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  await action();
  const fps = await page.evaluate(() => {
    const counter = window.benchFrames;
    counter.on = false;
    return Math.round((counter.frames * 1000) / (performance.now() - counter.start));
  });
  if ((await viewport()) === before) throw new Error(`the canvas did not move (${before})`);
  return fps;
}

function synthetic() {
  const components = [];
  const assets = [];
  for (let index = 0; index < ASSETS; index++) {
    const group = Math.floor(index / PER_INSTANCE);
    const path = `sync_${group}`;
    if (index % PER_INSTANCE === 0) components.push({ path, type: "data_manager.components.SqlTableSyncComponent", attributes: {} });
    assets.push({
      key: `cache/table_${index}`,
      deps: group > 0 ? [`cache/table_${index - PER_INSTANCE}`] : [],
      group: path,
      kinds: ["mysql", "postgres"],
      checks: [],
      component: path,
    });
  }
  return { components, assets };
}

const browser = await launch();
const result = {};
try {
  const page = await browser.context.newPage();
  const console_ = watchConsole(page);
  const missing = [];
  page.on("response", (response) => {
    if (response.status() === 404) missing.push(new URL(response.url()).pathname);
  });

  // first render of the sample location's canvas: navigation start to its assets drawn (preview warm)
  const started = Date.now();
  await page.goto(`${baseUrl}/designer/?location=${sample}`);
  await page.waitForFunction(() => document.querySelectorAll(".asset-row[data-asset]").length > 0, null, { timeout: 120_000, polling: "raf" });
  result.first_canvas_ms = Math.round(await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())))));
  result.first_canvas_wall_ms = Date.now() - started;

  // form render: select the instance's node, until its form's fields are drawn
  await page.getByTestId(`node-${sampleInstance}`).click();
  result.form_render_ms = Math.round(await sinceMark(page, "designer:selected", () => document.querySelectorAll(".rjsf input").length > 0));

  // 1000 synthetic assets (answered by the page's own route handler): preview arrival to all nodes drawn
  const data = synthetic();
  await page.route(`**/api/designer/locations/${SYNTHETIC}/components`, (route) => route.fulfill({ json: { location: SYNTHETIC, components: data.components } }));
  await page.route(`**/api/designer/locations/${SYNTHETIC}/preview**`, (route) => route.fulfill({ json: { location: SYNTHETIC, assets: data.assets } }));
  await page.route(`**/api/designer/locations/${SYNTHETIC}/env`, (route) => route.fulfill({ json: { variables: [] } }));
  await page.route(`**/api/designer/locations/${SYNTHETIC}/lineage`, (route) => route.fulfill({ json: { edges: [] } }));
  await page.route(`**/api/designer/locations/${SYNTHETIC}/history`, (route) => route.fulfill({ json: { undo: null, redo: null } }));
  await page.route(`**/api/designer/locations/${SYNTHETIC}/state`, (route) => route.fulfill({ json: { served: false, assets: [] } }));
  await page.goto(`${baseUrl}/designer/?location=${SYNTHETIC}`);
  result.synthetic_assets = ASSETS;
  result.synthetic_layout_draw_ms = Math.round(
    await sinceMark(page, "designer:preview-loaded", (count) => document.querySelectorAll(".asset-row[data-asset]").length >= count, ASSETS),
  );
  // frames per second while the 1000-asset canvas is dragged (pan) and wheeled (zoom) by the mouse, about a second
  // each; the viewport must have moved, or the figure would measure an idle page
  // a spot of bare canvas near the middle: a drag that starts on a node does not pan
  const [cx, cy] = await page.evaluate(() => {
    const box = document.querySelector(".react-flow__pane").getBoundingClientRect();
    for (let ring = 0; ring < 40; ring++)
      for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1], [1, 1], [-1, -1], [1, -1], [-1, 1]]) {
        const [x, y] = [box.left + box.width / 2 + dx * ring * 10, box.top + box.height / 2 + dy * ring * 10];
        if (document.elementFromPoint(x, y)?.classList.contains("react-flow__pane")) return [x, y];
      }
    throw new Error("no bare canvas to drag");
  });
  result.synthetic_pan_fps = await framesWhile(page, async () => {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let step = 1; step <= 60; step++) {
      await page.mouse.move(cx + Math.sin(step / 8) * 250, cy + Math.cos(step / 8) * 120);
      await page.waitForTimeout(16);
    }
    await page.mouse.up();
  });
  result.synthetic_zoom_fps = await framesWhile(page, async () => {
    await page.mouse.move(cx, cy);
    for (let step = 0; step < 50; step++) {
      await page.mouse.wheel(0, step % 20 < 10 ? -60 : 60); // in, out, in: it ends zoomed in
      await page.waitForTimeout(16);
    }
  });
  if (console_.errors.length) result.console_errors = console_.errors;
  if (missing.length) result.not_found = missing;
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
