import { readFileSync } from "node:fs";
import { test, expect } from "../support/fixtures";
import { GROUP_PHOTO } from "../support/paths";

interface AnalyzeRouteBody {
  ok: boolean;
  analysis?: {
    faces: { index: number; box: { x: number; y: number; width: number; height: number } }[];
    image: { width: number; height: number } | null;
    stored: boolean;
  };
  error?: { code: string; message: string };
}

test.describe("Try it", () => {
  test("a group photo: one box per detected face, drawn on the photo, nothing stored", async ({
    page,
    capture,
  }) => {
    await page.goto("/try");
    await expect(page.getByTestId("try-file-input")).toHaveAttribute("data-interactive", "true");
    await expect(page.getByTestId("try-page")).toBeVisible();
    await expect(page.getByTestId("try-api-notice")).toHaveCount(0); // the API is up and serves a model
    await expect(page.getByTestId("try-analyze")).toBeDisabled();

    await page.getByTestId("try-file-input").setInputFiles(GROUP_PHOTO);
    await expect(page.getByTestId("try-preview")).toBeVisible();
    const [response] = await Promise.all([
      page.waitForResponse(
        (candidate) => candidate.url().endsWith("/api/analyze") && candidate.request().method() === "POST",
        { timeout: 120_000 },
      ),
      page.getByTestId("try-analyze").click(),
    ]);
    const body = (await response.json()) as AnalyzeRouteBody;
    expect(body.ok, JSON.stringify(body.error)).toBe(true);
    const faces = body.analysis!.faces;
    expect(faces.length).toBeGreaterThanOrEqual(2);
    expect(body.analysis!.stored).toBe(false);

    const summary = page.getByTestId("try-summary");
    await expect(summary).toHaveAttribute("data-faces", String(faces.length));
    await expect(summary).toHaveAttribute("data-stored", "false");
    const boxes = page.getByTestId("face-box");
    await expect(boxes).toHaveCount(faces.length);
    await expect(page.getByTestId("face-card")).toHaveCount(faces.length);

    // Every box lies on the photo, where the API put it (scaled from image pixels to the displayed size).
    await page.getByTestId("try-preview").evaluate((image: HTMLImageElement) => image.decode());
    const photo = (await page.getByTestId("try-preview").boundingBox())!;
    const scale = photo.width / body.analysis!.image!.width;
    const drawn = await boxes.all();
    for (const [i, face] of faces.entries()) {
      const box = (await drawn[i]!.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(photo.x - 1);
      expect(box.y).toBeGreaterThanOrEqual(photo.y - 1);
      expect(box.x + box.width).toBeLessThanOrEqual(photo.x + photo.width + 1);
      expect(box.y + box.height).toBeLessThanOrEqual(photo.y + photo.height + 1);
      expect(Math.abs(box.x - (photo.x + face.box.x * scale))).toBeLessThan(3);
      expect(Math.abs(box.width - face.box.width * scale)).toBeLessThan(3);
    }
    await capture(page, "try-it");
  });

  test("a file that is not an image is refused with a clear message before anything is sent", async ({
    page,
    capture,
  }) => {
    await page.goto("/try");
    await expect(page.getByTestId("try-file-input")).toHaveAttribute("data-interactive", "true");
    let sent = false;
    page.on("request", (request) => {
      if (request.url().endsWith("/api/analyze")) sent = true;
    });
    await page
      .getByTestId("try-file-input")
      .setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("just some text") });
    const error = page.getByTestId("try-error");
    await expect(error).toBeVisible();
    await expect(error).toContainText("notes.txt");
    await expect(error).toContainText(/not a supported image/i);
    await expect(page.getByTestId("try-analyze")).toBeDisabled();
    expect(sent).toBe(false);
    await capture(page, "try-it-not-an-image");
  });

  test("bytes that only pretend to be a JPEG come back as UNSUPPORTED_IMAGE from the API", async ({
    page,
  }) => {
    await page.goto("/try");
    await expect(page.getByTestId("try-file-input")).toHaveAttribute("data-interactive", "true");
    const fake = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff]),
      Buffer.from("not really a jpeg ".repeat(50)),
    ]);
    await page
      .getByTestId("try-file-input")
      .setInputFiles({ name: "broken.jpg", mimeType: "image/jpeg", buffer: fake });
    await page.getByTestId("try-analyze").click();
    const error = page.getByTestId("try-error");
    await expect(error).toBeVisible({ timeout: 60_000 });
    await expect(error).toHaveAttribute("data-error-code", "UNSUPPORTED_IMAGE");
    await expect(page.getByTestId("face-box")).toHaveCount(0);
    expect(readFileSync(GROUP_PHOTO).length).toBeGreaterThan(0); // the real photo is untouched (read-only share)
  });
});
