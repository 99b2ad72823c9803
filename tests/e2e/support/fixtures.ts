import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { test as base, expect, type Page } from "@playwright/test";
import { DOCS_SCREENSHOTS_DIR, SCREENSHOTS_DIR } from "./paths";
import { e2eState, type E2EState } from "./state";

interface Fixtures {
  /** Where the stack runs and the keys/runs the global setup created. */
  stack: E2EState;
  /** Full-page screenshot saved to test-results/screenshots/<name>.png (attached to the report; copied to
   *  docs/screenshots/ when MOODLENS_UPDATE_SCREENSHOTS=1). */
  capture: (page: Page, name: string) => Promise<void>;
}

export const test = base.extend<Fixtures>({
  stack: async ({}, use) => use(e2eState()),
  // The ports are chosen by the global setup, after the config was loaded: the base URL comes from its state.
  baseURL: async ({}, use, testInfo) => {
    const state = e2eState();
    await use(testInfo.project.name === "api" ? state.apiUrl : state.dashboardUrl);
  },
  capture: async ({}, use, testInfo) => {
    await use(async (page, name) => {
      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
      // Charts are client components: let them lay out before the picture.
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: file, fullPage: true, animations: "disabled" });
      await testInfo.attach(name, { path: file, contentType: "image/png" });
      if (process.env.MOODLENS_UPDATE_SCREENSHOTS === "1") {
        mkdirSync(DOCS_SCREENSHOTS_DIR, { recursive: true });
        copyFileSync(file, path.join(DOCS_SCREENSHOTS_DIR, `${name}.png`));
      }
    });
  },
});

export { expect };
