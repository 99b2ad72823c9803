import { chromium, type Browser, type Response } from "@playwright/test";
import { makeFakeCameraY4m } from "@moodlens/video/testing";
import { test, expect } from "../support/fixtures";
import { ADMIN_STORAGE_STATE } from "../support/paths";

/**
 * The Live page in Chromium with a fake camera: a y4m made here from a sample photo (a slow pan across two faces,
 * looped by Chromium). Each test launches its own browser because the camera flags are per browser.
 */
const BASE_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];

interface FrameFace {
  trackId: number;
  box: { x: number; y: number; width: number; height: number };
  dominantEmotion: string;
  emotions: { emotion: string; probability: number }[];
  rawEmotions: { emotion: string; probability: number }[];
}
interface FrameBody {
  ok: boolean;
  analysis?: { faces: FrameFace[]; timestamp: number };
  error?: { code: string; message: string };
}

const argmax = (entries: { emotion: string; probability: number }[]) =>
  entries.reduce((best, entry) => (entry.probability > best.probability ? entry : best)).emotion;

/** Label changes between consecutive frames of the same track. */
function changes(
  frames: FrameFace[][],
  label: (face: FrameFace) => string,
): { changes: number; pairs: number } {
  const last = new Map<number, string>();
  let count = 0;
  let pairs = 0;
  for (const frame of frames) {
    for (const face of frame) {
      const previous = last.get(face.trackId);
      if (previous !== undefined) {
        pairs += 1;
        if (previous !== label(face)) count += 1;
      }
      last.set(face.trackId, label(face));
    }
  }
  return { changes: count, pairs };
}

async function launch(args: string[]): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [...BASE_ARGS, ...args],
  });
}

test.describe("Live", () => {
  test("the fake camera's faces get boxes and steady smoothed labels", async ({ stack, capture }) => {
    test.setTimeout(240_000);
    const y4m = await makeFakeCameraY4m({ seconds: 6, fps: 10 });
    const browser = await launch([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${y4m}`,
    ]);
    try {
      const context = await browser.newContext({
        storageState: ADMIN_STORAGE_STATE,
        baseURL: stack.dashboardUrl,
        viewport: { width: 1366, height: 900 },
      });
      const page = await context.newPage();
      const frames: FrameFace[][] = [];
      page.on("response", async (response: Response) => {
        if (new URL(response.url()).pathname !== "/api/live/frame") return;
        const body = (await response.json().catch(() => null)) as FrameBody | null;
        if (body?.ok && body.analysis) frames.push(body.analysis.faces);
      });
      await page.goto("/live");
      await expect(page.getByTestId("live-privacy-notice")).toContainText(/not kept/);
      await page.getByTestId("live-rate").selectOption("4");
      await page.getByTestId("live-start").click();
      await expect(page.getByTestId("live-status")).toHaveAttribute("data-state", "on");

      // Boxes appear over the video and a card per face lists its smoothed probabilities.
      await expect(page.getByTestId("live-overlay")).not.toHaveAttribute("data-boxes", "0", {
        timeout: 60_000,
      });
      await expect(page.getByTestId("live-face").first()).toBeVisible();
      await expect.poll(() => frames.length, { timeout: 150_000 }).toBeGreaterThanOrEqual(30);
      await expect(page.getByTestId("live-api-error")).toHaveCount(0);
      const withFaces = frames.filter((frame) => frame.length > 0);
      expect(withFaces.length).toBeGreaterThanOrEqual(20);

      // The overlay's labels are the API's smoothed ones: the last frame's tracks are the cards on the page.
      const shown = await page
        .getByTestId("live-face")
        .evaluateAll((cards) =>
          cards.map((card) => `${card.getAttribute("data-track")}:${card.getAttribute("data-emotion")}`),
        );
      expect(shown.length).toBeGreaterThan(0);

      // Every box lies inside the frame sent (640 px wide at most), and a track keeps its id across frames.
      for (const face of withFaces.flat()) {
        expect(face.box.x).toBeGreaterThanOrEqual(-1);
        expect(face.box.x + face.box.width).toBeLessThanOrEqual(641);
      }
      // (A track ends when its face is unseen for 1 s, so on a loaded machine, where one frame can take longer
      // than that, tracks are short; the pairs of frames within a track are what the flicker check uses.)

      // No flicker beyond what smoothing allows: the still faces of the pan keep their smoothed label far more
      // steadily than the frame-by-frame argmax, and change it in at most one pair of frames in five.
      const smoothed = changes(withFaces, (face) => face.dominantEmotion);
      const raw = changes(withFaces, (face) => argmax(face.rawEmotions));
      console.log(
        `live: ${frames.length} frames answered, ${withFaces.length} with faces; label changes within tracks: smoothed ${smoothed.changes}/${smoothed.pairs} pairs, raw ${raw.changes}`,
      );
      expect(smoothed.pairs).toBeGreaterThanOrEqual(3);
      expect(smoothed.changes).toBeLessThanOrEqual(raw.changes);
      expect(smoothed.changes / smoothed.pairs).toBeLessThanOrEqual(0.2);

      await expect(page.getByTestId("live-history-chart")).not.toHaveAttribute("data-points", "0");
      await capture(page, "live");
      await page.getByTestId("live-stop").click();
      await expect(page.getByTestId("live-status")).toHaveAttribute("data-state", "off");
      await context.close();
    } finally {
      await browser.close();
    }
  });

  test("camera permission denied, no camera, and an API that stops answering each get a clear message", async ({
    stack,
  }) => {
    test.setTimeout(120_000);
    // A fake camera but no permission (no fake UI accepting the prompt; headless dismisses it).
    const denied = await launch(["--use-fake-device-for-media-stream", "--deny-permission-prompts"]);
    try {
      const page = await (
        await denied.newContext({ storageState: ADMIN_STORAGE_STATE, baseURL: stack.dashboardUrl })
      ).newPage();
      await page.goto("/live");
      await page.getByTestId("live-start").click();
      await expect(page.getByTestId("live-error")).toHaveAttribute("data-error-code", "CAMERA_DENIED");
      await expect(page.getByTestId("live-error")).toContainText(/permission/i);
    } finally {
      await denied.close();
    }

    // Permission granted but no camera device at all.
    const noCamera = await launch(["--use-fake-ui-for-media-stream"]);
    try {
      const page = await (
        await noCamera.newContext({ storageState: ADMIN_STORAGE_STATE, baseURL: stack.dashboardUrl })
      ).newPage();
      await page.goto("/live");
      await page.getByTestId("live-start").click();
      await expect(page.getByTestId("live-error")).toHaveAttribute(
        "data-error-code",
        /NO_CAMERA|CAMERA_UNAVAILABLE/,
      );
    } finally {
      await noCamera.close();
    }

    // A camera, but the way to the API is cut (connection refused for every frame): a message after a few frames.
    const y4m = await makeFakeCameraY4m({ seconds: 2, fps: 5 });
    const cut = await launch([
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-video-capture=${y4m}`,
    ]);
    try {
      const page = await (
        await cut.newContext({ storageState: ADMIN_STORAGE_STATE, baseURL: stack.dashboardUrl })
      ).newPage();
      await page.route("**/api/live/frame", (route) => route.abort("connectionrefused"));
      await page.goto("/live");
      await page.getByTestId("live-start").click();
      await expect(page.getByTestId("live-api-error")).toBeVisible({ timeout: 30_000 });
      await expect(page.getByTestId("live-api-error")).toContainText(/stopped answering/);
      await expect(page.getByTestId("live-status")).toHaveAttribute("data-state", "on");
    } finally {
      await cut.close();
    }
  });
});
