import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const chromiumPath = process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  webServer: {
    // A production build on a throwaway data directory (embedded PostgreSQL included).
    command: `rm -rf .e2e-data && node --import tsx scripts/boltrail.ts start`,
    url: `http://127.0.0.1:${PORT}/login`,
    timeout: 15 * 60_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    // Sandbox invoices settle by themselves after 10 s: long enough for the tests that click "Settle now" or "Fail" first.
    // e2e/live.spec.ts attaches the LND simulator, which listens on 127.0.0.1 and runs regtest.
    env: { DATA_DIR: ".e2e-data", PORT: String(PORT), NODE_ENV: "", SANDBOX_SETTLE_DELAY_MS: "10000", NODE_URL_ALLOWLIST: "127.0.0.1", LIVE_NETWORK: "regtest" },
  },
});
