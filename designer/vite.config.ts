import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Served by the platform API at /designer/; `npm run dev` proxies /api to a running `data-manager api`.
const apiUrl = process.env.DESIGNER_API_URL ?? "http://127.0.0.1:3100";

export default defineConfig({
  base: "/designer/",
  plugins: [react()],
  server: { proxy: { "/api": apiUrl } },
  build: { chunkSizeWarningLimit: 4096 },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
