#!/usr/bin/env node
// `npm test`: every test in the repo — typecheck and lint, unit and integration suites of each package (real
// PostgreSQL and embedded PGlite), then the browser end-to-end suite — and one closing line "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureInstalled, ROOT, TOOL_ENV } from "./ensure-install.mjs";
import { playwrightCounts, vitestCounts, vitestFailures } from "./test-report.mjs";

const REPORT = ".test-report.json"; // written by vitest in each package, read back below
// "scripts": this folder's own tests (the counting below), run by vitest from the root.
const PACKAGES = [
  "scripts",
  "packages/shared",
  "packages/db",
  "packages/auth",
  "packages/model",
  "packages/native",
  "packages/video",
  "packages/jobs",
  "apps/trainer",
  "apps/api",
  "apps/worker",
  "apps/dashboard",
  "bench",
];
const E2E_REPORT = join(ROOT, "tests", "test-results", "report.json");

function step(title, command, args) {
  process.stdout.write(`\n=== ${title}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, ...TOOL_ENV },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(`=== ${title}: ${result.status === 0 ? "ok" : "FAILED"} in ${seconds}s\n`);
  return result.status === 0;
}

const readReport = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : null);

try {
  ensureInstalled();
} catch (error) {
  process.stderr.write(`moodlens: ${error.message}\n`);
  process.exit(1);
}
for (const pkg of PACKAGES) rmSync(join(ROOT, pkg, REPORT), { force: true });
rmSync(E2E_REPORT, { force: true });

const failures = [];
if (
  !step("typecheck + lint", "npx", [
    "turbo",
    "run",
    "typecheck",
    "lint",
    "--continue",
    "--output-logs=errors-only",
  ])
)
  failures.push("typecheck/lint");
if (
  !step("formatting (prettier --check; fix with npm run format)", "npx", [
    "prettier",
    "--check",
    ".",
    "--log-level=warn",
  ])
)
  failures.push("formatting");
// Test suites one package at a time: integration suites create databases and load tensors, and the machine has 2 cores.
if (
  !step("unit + integration tests", "npx", [
    "turbo",
    "run",
    "test",
    "--concurrency=1",
    "--continue",
    "--",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${REPORT}`,
  ])
)
  failures.push("unit/integration");
if (
  !step("scripts tests", "npx", [
    "vitest",
    "run",
    "--root",
    "scripts",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${REPORT}`,
  ])
)
  failures.push("scripts");
// The browser suite drives Debian's Chromium (tests/playwright.config.ts); say so plainly when it is not there.
const CHROMIUM = "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  process.stdout.write(
    `\n=== browser end-to-end tests: FAILED, no Chromium at ${CHROMIUM}\n    install it (Debian/Ubuntu: sudo apt-get install chromium), or run .ci/run, which installs it and runs npm test\n`,
  );
  failures.push("e2e (no Chromium)");
} else if (!step("browser end-to-end tests", "npm", ["run", "--silent", "-w", "@moodlens/e2e", "test:e2e"]))
  failures.push("e2e");

const totals = { passed: 0, failed: 0, skipped: 0 };
const rows = [];
for (const [name, counts] of [
  ...PACKAGES.map((pkg) => [pkg, readReport(join(ROOT, pkg, REPORT))]),
  ["tests (e2e)", readReport(E2E_REPORT)],
].map(([name, report]) => [
  name,
  report && (name === "tests (e2e)" ? playwrightCounts(report) : vitestCounts(report)),
])) {
  if (!counts) {
    rows.push(`${name}: no report`);
    totals.failed += 1; // a suite that did not report is a failure, never a silent pass
    continue;
  }
  rows.push(`${name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  for (const key of Object.keys(totals)) totals[key] += counts[key];
}
const failedTests = PACKAGES.flatMap((pkg) => {
  const report = readReport(join(ROOT, pkg, REPORT));
  return report ? vitestFailures(report, ROOT) : [];
});
if (failedTests.length) process.stdout.write(`\nfailed tests:\n${failedTests.join("\n")}\n`);
process.stdout.write(`\n${rows.join("\n")}\n`);
if (failures.length) process.stdout.write(`failed steps: ${failures.join(", ")}\n`);
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(failures.length || totals.failed ? 1 : 0);
