// Headless Chromium (Debian's, driven by playwright-core) with the flags this machine needs.
// Shared by the designer's browser test (designer_steps.mjs) and `make bench-designer`.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

// playwright-core is the designer's dev dependency: resolve it from designer/node_modules.
const require = createRequire(new URL("../../designer/package.json", import.meta.url));
const { chromium } = require("playwright-core");

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "designer-chromium-"));
  const flags = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ];
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: flags,
      acceptDownloads: true,
      viewport: { width: 1600, height: 1000 },
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`Chromium could not start from ${CHROMIUM} (apt-get install chromium): ${error.message.split("\n")[0]}`);
  }
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Console errors and uncaught exceptions of a page, except HTTP errors a step says it expects. */
export function watchConsole(page) {
  const errors = [];
  const watch = { expectHttpErrors: false, errors };
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    if (watch.expectHttpErrors && /Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    errors.push(text);
  });
  page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
  return watch;
}
