// Counts real vitest reports: fixture files are run by vitest itself, then counted as `npm test` counts them.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { vitestCounts } from "../test-report.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const work = mkdtempSync(join(tmpdir(), "moodlens-test-report-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function reportOf(files) {
  for (const [name, body] of Object.entries(files)) writeFileSync(join(work, name), body);
  const output = join(work, "report.json");
  rmSync(output, { force: true });
  // --globals: the fixtures live outside the repo, where `import "vitest"` would not resolve.
  spawnSync(
    "npx",
    ["vitest", "run", "--root", work, "--globals", "--reporter=json", `--outputFile.json=${output}`],
    { cwd: ROOT, stdio: "ignore" },
  );
  return JSON.parse(readFileSync(output, "utf8"));
}

it(
  "counts one failing test among passing ones as one failure, and a file that cannot load as one",
  { timeout: 120_000 },
  () => {
    const report = reportOf({
      "mixed.test.mjs":
        'test("a", () => {}); test("b", () => { expect(1).toBe(2); }); test("c", () => {}); test.skip("d", () => {});',
      "broken.test.mjs": 'throw new Error("cannot load");',
    });
    expect(report.numFailedTestSuites).toBe(2); // what the old count added on top of the failed test
    expect(vitestCounts(report)).toEqual({ passed: 2, failed: 2, skipped: 1 });
  },
);
