import type { APIRequestContext, Page } from "@playwright/test";
import { test, expect } from "../support/fixtures";
import { EMOTION_STATS_CONTRACT, postGraphQL, type ContractStats } from "../support/graphql";
import type { E2EState } from "../support/state";

const DAY_MS = 86_400_000;

/** The dashboard's default period: the last 30 whole UTC days, today included (apps/dashboard/lib/filters.ts). */
function last30UtcDays(now = new Date()): { from: string; to: string } {
  const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return { from: new Date(tomorrow - 30 * DAY_MS).toISOString(), to: new Date(tomorrow).toISOString() };
}

async function apiStats(
  request: APIRequestContext,
  stack: E2EState,
  filter: Record<string, unknown>,
  bucket = "DAY",
): Promise<ContractStats> {
  const { body } = await postGraphQL<{ emotionStats: ContractStats }>(
    request,
    stack.graphqlUrl,
    EMOTION_STATS_CONTRACT,
    {
      key: stack.keys.client,
      variables: { filter: { timezone: "UTC", ...filter }, bucket },
    },
  );
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data!.emotionStats;
}

async function apiVisibleGroups(
  request: APIRequestContext,
  stack: E2EState,
  filter: Record<string, unknown>,
  by: "SOURCE" | "CAMPAIGN",
): Promise<number> {
  const { body } = await postGraphQL<{
    emotionBreakdown: { groups: { key: string; suppressed: boolean }[] };
  }>(
    request,
    stack.graphqlUrl,
    "query($f: AnalysisFilter, $by: BreakdownDimension!) { emotionBreakdown(filter: $f, by: $by) { groups { key suppressed } } }",
    { key: stack.keys.client, variables: { f: { timezone: "UTC", ...filter }, by } },
  );
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data!.emotionBreakdown.groups.filter((group) => !group.suppressed).length;
}

const kpiFaces = async (page: Page) => Number(await page.getByTestId("kpi-faces").getAttribute("data-value"));

test.describe("sentiment overview", () => {
  test("renders KPIs and charts with the seeded numbers (faces KPI = API emotionStats.totalFaces)", async ({
    page,
    request,
    stack,
    capture,
  }) => {
    await page.goto("/");
    const overview = page.getByTestId("overview");
    await expect(overview).toBeVisible();
    await expect(overview).toHaveAttribute("data-bucket", "DAY");

    const stats = await apiStats(request, stack, last30UtcDays());
    expect(stats.totalFaces).toBeGreaterThan(0);
    expect(await kpiFaces(page)).toBe(stats.totalFaces);
    // The displayed figure is the same number, formatted.
    expect((await page.getByTestId("kpi-faces-value").innerText()).replace(/\D/g, "")).toBe(
      String(stats.totalFaces),
    );
    for (const id of ["positive-share", "negative-share"]) {
      const share = Number(await page.getByTestId(`kpi-${id}`).getAttribute("data-value"));
      expect(share).toBeGreaterThan(0);
      expect(share).toBeLessThan(1);
    }
    const valence = Number(await page.getByTestId("kpi-mean-valence").getAttribute("data-value"));
    expect(Math.abs(valence)).toBeLessThanOrEqual(1);

    // One chart point per day of the period, drawn as SVG areas; four seeded sources, four campaigns.
    const share = page.getByTestId("chart-emotion-share");
    await expect(share).toHaveAttribute("data-points", String(stats.buckets.length));
    await expect(share.locator(".recharts-area").first()).toBeVisible();
    await expect(share.locator(".recharts-area")).toHaveCount(7);
    await expect(page.getByTestId("card-valence").locator(".recharts-line")).not.toHaveCount(0);
    // One bar per source/campaign above the privacy floor, as the API counts them (the four demo ones at least;
    // analyses stored by the API tests add their own sources).
    for (const [by, testId] of [
      ["SOURCE", "chart-by-source"],
      ["CAMPAIGN", "chart-by-campaign"],
    ] as const) {
      const groups = await apiVisibleGroups(request, stack, last30UtcDays(), by);
      expect(groups).toBeGreaterThanOrEqual(4);
      await expect(page.getByTestId(testId)).toHaveAttribute("data-groups", String(groups));
    }
    await expect(
      page.getByTestId("chart-by-source").locator(".recharts-bar-rectangle").first(),
    ).toBeVisible();
    await expect(page.getByTestId("top-movers")).toBeVisible();
    await capture(page, "overview");
  });

  test("a filter changes the URL and the charts, and survives a reload", async ({ page, request, stack }) => {
    await page.goto("/");
    await expect(page.getByTestId("overview")).toBeVisible();
    const allFaces = await kpiFaces(page);

    await page.getByTestId("filter-source-web").check();
    await expect(page).toHaveURL(/[?&]sources=web(&|$)/);
    await expect(page.getByTestId("chart-by-source")).toHaveAttribute("data-groups", "1");
    const webStats = await apiStats(request, stack, { ...last30UtcDays(), sources: ["web"] });
    await expect.poll(() => kpiFaces(page)).toBe(webStats.totalFaces);
    expect(webStats.totalFaces).toBeLessThan(allFaces);

    await page.getByTestId("filter-range-7d").click();
    await expect(page).toHaveURL(/[?&]range=7d(&|$)/);
    await expect(page).toHaveURL(/[?&]sources=web(&|$)/);
    await expect(page.getByTestId("filter-range-7d")).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("chart-emotion-share")).toHaveAttribute("data-points", "7");

    await page.reload();
    await expect(page.getByTestId("filter-source-web")).toBeChecked();
    await expect(page.getByTestId("filter-range-7d")).toHaveAttribute("aria-pressed", "true");
    await expect(page.getByTestId("chart-emotion-share")).toHaveAttribute("data-points", "7");
  });

  test("a date range without data shows the empty state", async ({ page, capture }) => {
    await page.goto("/?from=2020-01-01&to=2020-01-31");
    const empty = page.getByTestId("empty-state");
    await expect(empty).toBeVisible();
    await expect(empty).toContainText("No faces in this period");
    await expect(page.getByTestId("kpis")).toHaveCount(0);
    await expect(page.getByTestId("error-state")).toHaveCount(0);
    await capture(page, "overview-empty-range");
  });
});
