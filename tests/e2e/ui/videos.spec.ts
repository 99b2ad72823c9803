import { readFileSync } from "node:fs";
import type { Locator, Page } from "@playwright/test";
import { makePanClip } from "@moodlens/video/testing";
import { test, expect } from "../support/fixtures";
import { fetchGraphQL } from "../support/graphql";
import { ANALYST_STORAGE_STATE } from "../support/paths";

/**
 * The Videos page end to end: a clip made here with ffmpeg (a pan across two faces, WebM so Chromium plays it),
 * uploaded through the page, analysed by the stack's worker, and its timeline compared with the API's own numbers.
 */
interface ApiTimelineSecond {
  second: number;
  faces: number;
  meanValence: number | null;
  emotions: { emotion: string; probability: number }[];
}
interface ApiJob {
  id: string;
  status: string;
  source: string | null;
  campaign: string | null;
  tracks: { index: number; firstSeconds: number; lastSeconds: number; dominantEmotion: string }[];
  timeline: ApiTimelineSecond[];
}

const JOB_QUERY = `query ($id: ID!) { videoJob(id: $id) { id status source campaign
  tracks { index firstSeconds lastSeconds dominantEmotion }
  timeline { second faces meanValence emotions { emotion probability } } } }`;

const CLIP_SECONDS = 6;

/** Moves the mouse over the chart (recharts picks the second under the pointer on hover), then clicks there. */
async function clickChartAt(page: Page, chart: Locator, fraction: number) {
  const grid = (await chart.locator(".recharts-cartesian-grid").boundingBox())!;
  const x = grid.x + grid.width * fraction;
  const y = grid.y + grid.height / 2;
  await page.mouse.move(x - 4, y);
  await page.mouse.move(x, y, { steps: 4 });
  await page.mouse.click(x, y);
}

test.describe("Videos", () => {
  test.describe.configure({ mode: "serial" });
  let jobId = "";

  test("upload a clip, follow the job, read a timeline equal to the API's, seek by clicking the chart", async ({
    page,
    stack,
    capture,
  }) => {
    test.setTimeout(300_000);
    const clip = await makePanClip({ format: "webm", seconds: CLIP_SECONDS, fps: 25, name: "e2e-pan" });

    await page.goto("/videos");
    await expect(page.getByTestId("video-file-input")).toHaveAttribute("data-interactive", "true");
    await expect(page.getByTestId("videos-page")).toBeVisible();
    await expect(page.getByTestId("video-submit")).toBeDisabled();
    await page.getByTestId("video-file-input").setInputFiles(clip);
    await page.getByTestId("video-campaign").fill("e2e-video");
    const [upload] = await Promise.all([
      page.waitForResponse(
        (response) =>
          new URL(response.url()).pathname === "/api/videos" && response.request().method() === "POST",
      ),
      page.getByTestId("video-submit").click(),
    ]);
    // The answer's body is gone from the inspector after a large upload: the page shows the job it got.
    expect(upload.status()).toBe(202);
    const progress = page.getByTestId("job-progress");
    await expect(progress).toHaveAttribute("data-job-id", /.+/);
    jobId = (await progress.getAttribute("data-job-id"))!;
    await expect(progress).toHaveAttribute("data-status", "DONE", { timeout: 240_000 });
    await expect(page.getByTestId("analysis-progress")).toHaveJSProperty("value", 1);
    // The list shows the job with its status once the page refreshed.
    await expect(page.locator(`[data-testid="video-job-row"][data-job-id="${jobId}"]`)).toHaveAttribute(
      "data-status",
      "DONE",
    );
    await capture(page, "videos");

    await page.getByTestId("open-timeline").click();
    await expect(page.getByTestId("video-page")).toHaveAttribute("data-job-id", jobId);

    const { videoJob: job } = await fetchGraphQL<{ videoJob: ApiJob }>(
      stack.graphqlUrl,
      JOB_QUERY,
      { id: jobId },
      stack.keys.client,
    );
    expect(job.status).toBe("DONE");
    expect(job.campaign).toBe("e2e-video");
    expect(job.timeline.length).toBeGreaterThanOrEqual(CLIP_SECONDS - 1);
    expect(job.tracks.length).toBeGreaterThanOrEqual(1);

    // The chart has one point per second of the API's timeline; the data table carries the same numbers.
    const chart = page.getByTestId("video-timeline-chart");
    await expect(chart).toHaveAttribute("data-seconds", String(job.timeline.length));
    await expect(chart.locator(".recharts-area")).toHaveCount(7);
    await page.getByText(/^Data table/).click();
    const rows = page.getByTestId("timeline-row");
    await expect(rows).toHaveCount(job.timeline.length);
    for (const second of job.timeline) {
      const row = page.locator(`[data-testid="timeline-row"][data-second="${second.second}"]`);
      await expect(row).toHaveAttribute("data-faces", String(second.faces));
      for (const entry of second.emotions) {
        const cell = row.locator(`td[data-emotion="${entry.emotion.toLowerCase()}"]`);
        expect(Number(await cell.getAttribute("data-share"))).toBeCloseTo(entry.probability, 3);
      }
      const valence = await row.getAttribute("data-valence");
      if (second.faces > 0 && second.meanValence != null)
        expect(Number(valence)).toBeCloseTo(second.meanValence, 6);
    }
    // One row per face track, each spanning when the API says the face was visible.
    await expect(page.getByTestId("track-row")).toHaveCount(job.tracks.length);
    for (const track of job.tracks) {
      await expect(page.locator(`[data-testid="track-row"][data-track="${track.index}"]`)).toHaveAttribute(
        "data-emotion",
        track.dominantEmotion.toLowerCase(),
      );
    }
    // Peaks are marked only where an emotion holds at least half of the faces.
    const peaks = ((await chart.getAttribute("data-peaks")) ?? "").split(",").filter(Boolean);
    for (const peak of peaks) {
      const [second, emotion] = peak.split(":");
      const share = job.timeline
        .find((entry) => entry.second === Number(second))!
        .emotions.find((entry) => entry.emotion.toLowerCase() === emotion)!.probability;
      expect(share).toBeGreaterThanOrEqual(0.5);
    }

    // The browser's own copy plays; clicking the chart's last third seeks the player and moves the playhead.
    const player = page.getByTestId("video-player");
    await expect(player).toBeVisible();
    await player.evaluate((video: HTMLVideoElement) =>
      video.readyState >= 1
        ? null
        : new Promise((resolve) => video.addEventListener("loadedmetadata", resolve, { once: true })),
    );
    await clickChartAt(page, chart, 0.8);
    await expect(chart).not.toHaveAttribute("data-playhead", "0");
    const target = Number(await chart.getAttribute("data-playhead"));
    expect(target).toBeGreaterThanOrEqual(Math.floor(job.timeline.length * 0.6));
    await expect
      .poll(() => player.evaluate((video: HTMLVideoElement) => Math.floor(video.currentTime)))
      .toBe(target);
    // The red playhead is drawn at that second (a vertical line: zero width, so counted rather than "visible").
    await expect(chart.locator('.recharts-reference-line line[stroke="#d62728"]')).toHaveCount(1);

    // Playing moves the playhead along the chart.
    await page.locator(`[data-testid="timeline-row"][data-second="0"] button`).click();
    await expect(chart).toHaveAttribute("data-playhead", "0");
    await player.evaluate((video: HTMLVideoElement) => {
      video.muted = true;
      return video.play();
    });
    await expect.poll(() => chart.getAttribute("data-playhead"), { timeout: 15_000 }).not.toBe("0");
    await player.evaluate((video: HTMLVideoElement) => video.pause());

    // CSV exports: one line per second, one per track.
    const [timelineCsv] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("timeline-csv").click(),
    ]);
    const timelineLines = readFileSync((await timelineCsv.path())!, "utf8")
      .trim()
      .split("\r\n");
    expect(timelineLines[0]).toMatch(/^second,faces,mean_valence,share_angry/);
    expect(timelineLines).toHaveLength(job.timeline.length + 1);
    const [tracksCsv] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("tracks-csv").click(),
    ]);
    expect(
      readFileSync((await tracksCsv.path())!, "utf8")
        .trim()
        .split("\r\n"),
    ).toHaveLength(job.tracks.length + 1);

    // From the top: a scrolled full-page shot would show the sticky header in the middle of the page.
    await page.evaluate(() => window.scrollTo(0, 0));
    await capture(page, "video-timeline");

    // A reload finds the copy kept in IndexedDB.
    await page.reload();
    await expect(page.getByTestId("video-player")).toBeVisible();
  });

  test("an analyst in another browser sees the timeline without a local copy of the video", async ({
    browser,
    stack,
  }) => {
    test.skip(!jobId, "needs the uploaded job");
    const context = await browser.newContext({
      storageState: ANALYST_STORAGE_STATE,
      baseURL: stack.dashboardUrl,
    });
    const page = await context.newPage();
    await page.goto(`/videos/${jobId}`);
    await expect(page.getByTestId("no-local-copy")).toBeVisible();
    await expect(page.getByTestId("video-player")).toHaveCount(0);
    const chart = page.getByTestId("video-timeline-chart");
    await expect(chart).toBeVisible();
    await clickChartAt(page, chart, 0.5);
    await expect(chart).not.toHaveAttribute("data-playhead", "0");
    await context.close();
  });

  test("the drill-down filters by kind: the video's analysis under Videos, the demo photos under Photos", async ({
    page,
  }) => {
    test.skip(!jobId, "needs the uploaded job");
    await page.goto("/analyses");
    const total = page.getByTestId("analyses-total");
    const all = Number(await total.getAttribute("data-value"));
    await page.getByTestId("filter-kind-video").check();
    await expect(page).toHaveURL(/kinds=video/);
    // The demo seed has photos only: the one video job of this suite is the only VIDEO analysis.
    await expect(total).toHaveAttribute("data-value", "1");
    await expect(page.locator("table tbody tr").first()).toContainText("e2e-video");
    await page.goto("/analyses?kinds=photo");
    await expect(page.getByTestId("filter-kind-photo")).toBeChecked();
    await expect(total).toHaveAttribute("data-value", String(all - 1));
  });

  test("a file that is not a video is refused before anything is sent", async ({ page }) => {
    await page.goto("/videos");
    await expect(page.getByTestId("video-file-input")).toHaveAttribute("data-interactive", "true");
    let sent = false;
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/api/videos") sent = true;
    });
    await page
      .getByTestId("video-file-input")
      .setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("text") });
    await expect(page.getByTestId("video-error")).toContainText("notes.txt");
    await expect(page.getByTestId("video-submit")).toBeDisabled();
    expect(sent).toBe(false);
  });

  test("a job the worker could not read shows why it failed, with the API's error code", async ({
    page,
    request,
    stack,
  }) => {
    // Sent past the page's own check (as a client app would): the worker finds no video in it.
    const upload = await request.post(`${stack.apiUrl}/v1/videos?source=e2e-video-unreadable`, {
      headers: { authorization: `Bearer ${stack.keys.client}`, "content-type": "video/mp4" },
      data: Buffer.from("definitely not an mp4 ".repeat(200)),
    });
    expect(upload.status()).toBe(202);
    const { job } = (await upload.json()) as { job: { id: string } };
    await expect
      .poll(
        async () =>
          (
            await fetchGraphQL<{ videoJob: { status: string } }>(
              stack.graphqlUrl,
              "query ($id: ID!) { videoJob(id: $id) { status } }",
              { id: job.id },
              stack.keys.client,
            )
          ).videoJob.status,
        { timeout: 120_000, intervals: [1_000] },
      )
      .toBe("FAILED");
    await page.goto(`/videos/${job.id}`);
    const error = page.getByTestId("error-state");
    await expect(error).toHaveAttribute("data-error-code", "BAD_USER_INPUT");
    await expect(error.getByRole("heading")).toHaveText("The analysis failed");
    await expect(error.locator("p").first()).not.toBeEmpty();
    await expect(page.getByTestId("video-timeline-chart")).toHaveCount(0);
  });
});
