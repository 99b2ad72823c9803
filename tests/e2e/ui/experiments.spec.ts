import { test, expect } from "../support/fixtures";

test.describe("experiments", () => {
  test("the runs table lists the trainer's runs; ticking two compares them", async ({
    page,
    stack,
    capture,
  }) => {
    const [runA, runB] = stack.runIds as [string, string];
    await page.goto("/experiments");
    await expect(page.getByTestId("experiments-page")).toBeVisible();
    const rowA = page.locator(`[data-testid="run-row"][data-id="${runA}"]`);
    const rowB = page.locator(`[data-testid="run-row"][data-id="${runB}"]`);
    await expect(rowA).toHaveAttribute("data-status", /completed/i);
    await expect(rowB).toHaveAttribute("data-status", /completed/i);
    await capture(page, "experiments");

    await expect(page.getByTestId("compare-selected")).toHaveAttribute("aria-disabled", "true");
    await rowA.getByTestId("run-select").check();
    await rowB.getByTestId("run-select").check();
    await page.getByTestId("compare-selected").click();
    await expect(page).toHaveURL(/\/experiments\/compare\?ids=/);
    const ids = new URL(page.url()).searchParams.get("ids")!.split(",");
    expect(ids.sort()).toEqual([runA, runB].sort());

    const view = page.getByTestId("compare-view");
    await expect(view).toHaveAttribute("data-runs", "2");
    await expect(page.getByTestId("compare-run")).toHaveCount(2);
    // Overlaid curves: one line per run (and split) in each chart.
    await expect(page.getByTestId("chart-loss")).toHaveAttribute("data-runs", "2");
    await expect(page.getByTestId("chart-accuracy")).toHaveAttribute("data-runs", "2");
    await expect(page.getByTestId("chart-loss").locator(".recharts-line").first()).toBeVisible();
    expect(await page.getByTestId("chart-loss").locator(".recharts-line").count()).toBeGreaterThanOrEqual(2);

    // The runs differ in learning rate, seed and label smoothing: "differences only" shows just those.
    const diff = page.getByTestId("param-diff");
    const toggle = page.getByTestId("param-diff-toggle");
    await expect(toggle).toBeChecked();
    const differing = diff.getByTestId("param-row");
    const differingNames = await differing.evaluateAll((rows) =>
      rows.map((row) => row.getAttribute("data-param") ?? ""),
    );
    expect(differingNames.some((name) => /learningRate|lr/i.test(name))).toBe(true);
    expect(differingNames.some((name) => /seed/i.test(name))).toBe(true);
    await expect(differing.and(page.locator('[data-differs="false"]'))).toHaveCount(0);
    await toggle.uncheck();
    expect(await diff.getByTestId("param-row").count()).toBeGreaterThan(differingNames.length);
    await expect(diff.locator('[data-testid="param-row"][data-differs="false"]').first()).toBeVisible();
    await toggle.check();

    await expect(page.getByTestId("metrics-table")).toBeVisible();
    await expect(page.getByTestId("per-class-table")).toBeVisible();
    await expect(page.getByTestId("confusion-matrix")).toHaveCount(2);
    await capture(page, "experiments-compare");
  });

  test("the models page shows the registered versions and the active one", async ({
    page,
    stack,
    capture,
  }) => {
    await page.goto("/models");
    await expect(page.getByTestId("models-page")).toBeVisible();
    const rows = page.getByTestId("model-row");
    // Both e2e runs registered a version (trainer --register); models/default adds one when it is trained.
    expect(await rows.count()).toBeGreaterThanOrEqual(2);
    await expect(page.locator('[data-testid="model-row"][data-active="true"]')).toHaveCount(1);
    if (stack.modelVersion) {
      await expect(page.locator('[data-testid="model-row"][data-active="true"]')).toHaveAttribute(
        "data-version",
        stack.modelVersion,
      );
      await expect(page.getByTestId("active-model-version")).toHaveText(stack.modelVersion);
    }
    await capture(page, "models");
  });
});
