// Counting of the test reports that `npm test` reads back (vitest's JSON per package, Playwright's JSON for e2e).

/**
 * Tests of one vitest JSON report. A failed file is not a failed test: a file whose tests failed adds only those
 * tests; a file that failed with no failed test of its own (an import error, a throwing beforeAll) adds one.
 */
export function vitestCounts(report) {
  const brokenFiles = (report.testResults ?? []).filter(
    (file) =>
      file.status === "failed" && !(file.assertionResults ?? []).some((test) => test.status === "failed"),
  ).length;
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

/** The failed tests of a vitest report, each with the start of its error (paths shown relative to `root`). */
export function vitestFailures(report, root) {
  const lines = [];
  for (const suite of report.testResults ?? []) {
    const where = suite.name ? suite.name.slice(root.length + 1) : "?";
    if (suite.status === "failed" && suite.message) lines.push(`  ${where}: ${firstLines(suite.message)}`);
    for (const test of suite.assertionResults ?? []) {
      if (test.status === "failed")
        lines.push(`  ${where} › ${test.fullName}: ${firstLines((test.failureMessages ?? []).join("\n"))}`);
    }
  }
  return lines;
}

const firstLines = (text) => text.split("\n").slice(0, 4).join(" | ").slice(0, 600);

/** Tests of one Playwright JSON report (a flaky test, passed on retry, counts as failed: it must be fixed). */
export function playwrightCounts(report) {
  const { stats } = report;
  return {
    passed: stats.expected ?? 0,
    failed: (stats.unexpected ?? 0) + (stats.flaky ?? 0),
    skipped: stats.skipped ?? 0,
  };
}
