import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { selectBackend } from "../src/backend";
import { createFaceDetector, type FaceDetector } from "../src/detect";
import { decodeImage, preprocessCrop, type DecodedImage } from "../src/preprocess";
import { FER_VAL_DIR, matchFaces } from "./group-photos";

// Close-up portraits: FER-2013 PublicTest faces (the first 10 files of each class) enlarged to 256 px photos that
// are nothing but the face, touching all four borders (docs/photo-framing.md, "Close-up portraits").
let detector: FaceDetector;
let plain: FaceDetector;
let portraits: DecodedImage[];

beforeAll(async () => {
  await selectBackend(undefined, { logger: () => {} });
  detector = await createFaceDetector();
  plain = await createFaceDetector({ borderView: 0 });
  portraits = [];
  for (const folder of readdirSync(FER_VAL_DIR).sort()) {
    for (const file of readdirSync(join(FER_VAL_DIR, folder)).sort().slice(0, 10)) {
      const crop = await preprocessCrop(join(FER_VAL_DIR, folder, file));
      const bytes = await sharp(crop, { raw: { width: 48, height: 48, channels: 1 } })
        .resize(256, 256, { kernel: "cubic" })
        .toColourspace("srgb")
        .jpeg({ quality: 90 })
        .toBuffer();
      portraits.push(await decodeImage(bytes));
    }
  }
}, 120_000);

afterAll(async () => {
  await detector?.dispose();
  await plain?.dispose();
});

/** How many portraits have a detection whose box and the photo (the face's 48x48 frame) hold each other's centre. */
async function found(faceDetector: FaceDetector): Promise<number> {
  let count = 0;
  for (const image of portraits) {
    const { faces } = await faceDetector.detect(image);
    count += matchFaces(
      [{ x: 0, y: 0, width: 256, height: 256 }],
      faces.map((face) => face.box),
    );
  }
  return count;
}

describe("face detector on close-up portraits", () => {
  it("finds faces that fill the photo: the border view gives them context on every side", async () => {
    expect(portraits).toHaveLength(70);
    expect(detector.config.borderView).toBeGreaterThan(0);
    // Measured: 67 of 70 with the border view (margin 0.3), 57 without it (the plain whole-image view alone).
    expect(await found(detector)).toBeGreaterThanOrEqual(65);
    expect(await found(plain)).toBeLessThanOrEqual(60);
  }, 120_000);
});
