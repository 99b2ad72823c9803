import { defineConfig } from "@playwright/test";
import { ADMIN_STORAGE_STATE } from "./e2e/support/paths";

/**
 * Two projects against one stack started by the global setup (`npm start` on a fresh embedded database):
 * `api` speaks HTTP/GraphQL with the request fixture, `ui` drives Debian's Chromium (Playwright's own browsers
 * cannot be downloaded here). One worker: the machine has two cores and the stack needs them.
 */
export default defineConfig({
  testDir: "./e2e",
  globalSetup: "./e2e/global-setup.ts",
  outputDir: "test-results/artifacts",
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 90_000,
  // Generous: on a 2-core machine shared with a training job the setup alone took 9.5 min (CI has 90 min).
  globalTimeout: 30 * 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/report.json" }]],
  use: {
    actionTimeout: 20_000,
    navigationTimeout: 45_000,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "ui",
      testDir: "./e2e/ui",
      use: {
        browserName: "chromium",
        headless: true,
        viewport: { width: 1366, height: 900 },
        acceptDownloads: true,
        // Signed in as the admin made by the global setup; tests of other roles or of signing in use their own state.
        storageState: ADMIN_STORAGE_STATE,
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
          ],
        },
      },
    },
    // After the browser tests (declaration order, one worker): the analyses the API tests store then never show up in
    // the dashboard's filter lists on the screenshots.
    { name: "api", testDir: "./e2e/api" },
  ],
});
