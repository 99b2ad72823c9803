import { readFileSync } from "node:fs";
import { test, expect } from "../support/fixtures";

const CSV_HEADER = [
  "analysis_id",
  "captured_at",
  "source",
  "campaign",
  "model_version",
  "face_count",
  "face_index",
  "dominant_emotion",
  "valence",
  "detection_score",
  "box_x",
  "box_y",
  "box_width",
  "box_height",
  "p_angry",
  "p_disgust",
  "p_fear",
  "p_happy",
  "p_sad",
  "p_surprise",
  "p_neutral",
];

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n") {
      row.push(field.replace(/\r$/, ""));
      rows.push(row);
      row = [];
      field = "";
    } else field += char;
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

test.describe("drill-down", () => {
  test("clicking a day of the emotion-share chart lists that day's analyses, paginated", async ({
    page,
    capture,
  }) => {
    await page.goto("/?range=7d");
    const chart = page.getByTestId("chart-emotion-share");
    await expect(chart).toHaveAttribute("data-points", "7");
    const surface = chart.locator(".recharts-surface");
    // Mouse coordinates are the viewport's: a notice above the chart (e.g. a bucket hidden for privacy, as in the
    // first hours of a UTC day) pushes its middle below the fold, where a click lands on nothing.
    await surface.scrollIntoViewIfNeeded();
    const box = (await surface.boundingBox())!;
    // Point at a bucket in the middle of the week (recharts activates the nearest point on hover), then click it.
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await expect(page).toHaveURL(/\/analyses\?/);

    const url = new URL(page.url());
    const from = Date.parse(url.searchParams.get("from") ?? "");
    const to = Date.parse(url.searchParams.get("to") ?? "");
    expect(to - from).toBe(86_400_000);

    await expect(page.getByTestId("analyses-page")).toBeVisible();
    const total = Number(await page.getByTestId("analyses-total").getAttribute("data-value"));
    expect(total).toBeGreaterThan(25); // ~70 analyses a day are seeded
    const rows = page.getByTestId("analysis-row");
    await expect(rows).toHaveCount(25);
    // Each row: its faces and their probabilities as small bars (the CSV test checks the times of the rows).
    await expect(rows.getByTestId("probability-bars")).toHaveCount(25);
    for (const faces of await rows.evaluateAll((elements) =>
      elements.map((element) => Number(element.getAttribute("data-faces"))),
    )) {
      expect(faces).toBeGreaterThanOrEqual(1);
    }
    await capture(page, "analyses");

    const firstIds = await rows.evaluateAll((elements) =>
      elements.map((element) => element.getAttribute("data-id")),
    );
    await page.getByTestId("pagination-next").click();
    await expect(page).toHaveURL(/[?&]after=/);
    await expect(page.getByTestId("pagination-first")).toBeVisible();
    const nextIds = await page
      .getByTestId("analysis-row")
      .evaluateAll((elements) => elements.map((element) => element.getAttribute("data-id")));
    expect(nextIds.length).toBe(Math.min(25, total - 25));
    expect(nextIds.filter((id) => firstIds.includes(id))).toEqual([]);
  });

  test("clicking a source bar lists only that source's analyses", async ({ page }) => {
    await page.goto("/?range=7d");
    const bars = page.getByTestId("chart-by-source").locator(".recharts-bar-rectangle");
    await expect(bars.first()).toBeVisible();
    await bars.first().click();
    await expect(page).toHaveURL(/\/analyses\?.*sources=/);
    const source = new URL(page.url()).searchParams.get("sources")!;
    expect(["web", "kiosk-lobby", "mobile-app", "survey-video"]).toContain(source);
    const rows = page.getByTestId("analysis-row");
    await expect(rows.first()).toBeVisible();
    for (const text of await rows.allInnerTexts()) expect(text).toContain(source);
  });

  test("CSV export downloads the filtered analyses: header + one row per face", async ({ page }) => {
    // One busy day of one source: a few pages of the API's cursor, a file small enough to read here.
    const day = new Date(Date.now() - 3 * 86_400_000);
    const from = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()));
    const to = new Date(from.getTime() + 86_400_000);
    await page.goto(`/analyses?from=${from.toISOString()}&to=${to.toISOString()}&sources=web`);
    const total = Number(await page.getByTestId("analyses-total").getAttribute("data-value"));
    expect(total).toBeGreaterThan(0);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("csv-export").click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const rows = parseCsv(readFileSync((await download.path())!, "utf8"));
    expect(rows[0]).toEqual(CSV_HEADER);
    const data = rows.slice(1);
    expect(data.length).toBeGreaterThanOrEqual(total);
    for (const row of data) {
      expect(row).toHaveLength(CSV_HEADER.length);
      expect(row[2]).toBe("web");
      const captured = Date.parse(row[1]!);
      expect(captured >= from.getTime() && captured < to.getTime()).toBe(true);
      const probabilities = row.slice(14).map(Number);
      expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    }
    // One row per face: every analysis appears face_count times, and exactly the listed analyses appear.
    const perAnalysis = new Map<string, { faces: number; rows: number }>();
    for (const row of data) {
      const entry = perAnalysis.get(row[0]!) ?? { faces: Number(row[5]), rows: 0 };
      entry.rows++;
      perAnalysis.set(row[0]!, entry);
    }
    expect(perAnalysis.size).toBe(total);
    for (const entry of perAnalysis.values()) expect(entry.rows).toBe(Math.max(1, entry.faces));
  });
});
