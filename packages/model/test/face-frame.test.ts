import { readdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import type { Point } from "@moodlens/shared";
import {
  FER_CENTRE_ABOVE_BOX_CENTRE,
  FER_KEYPOINT_TEMPLATE,
  FER_SIDE_PER_BOX_SIDE,
  cropFace,
  decodeImage,
  faceFrame,
  preprocessCrop,
  type FaceFrame,
} from "../src/preprocess";
import { FER_VAL_DIR } from "./group-photos";

const degrees = (value: number) => (value * Math.PI) / 180;

/** Where the template's keypoints land when a FER crop is shown with this frame (the inverse of faceFrame). */
function keypointsOf(frame: FaceFrame): Point[] {
  const [cos, sin] = [Math.cos(frame.angle), Math.sin(frame.angle)];
  return FER_KEYPOINT_TEMPLATE.map(([x, y]) => {
    const [u, v] = [((x - 24) / 48) * frame.side, ((y - 24) / 48) * frame.side];
    return { x: frame.centreX + u * cos - v * sin, y: frame.centreY + u * sin + v * cos };
  });
}

const anyBox = { x: 0, y: 0, width: 10, height: 10 };

function correlation(a: Uint8Array, b: Uint8Array): number {
  const mean = (v: Uint8Array) => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  a.forEach((x, i) => {
    ab += (x - ma) * (b[i]! - mb);
    aa += (x - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}

describe("faceFrame", () => {
  it("recovers position, size and rotation from keypoints placed by the template", () => {
    for (const frame of [
      { centreX: 200, centreY: 150, side: 96, angle: 0 },
      { centreX: 321.5, centreY: 77.25, side: 240, angle: degrees(12) },
      { centreX: 80, centreY: 400, side: 150, angle: degrees(-25) },
    ]) {
      const found = faceFrame({ box: anyBox, landmarks: keypointsOf(frame) });
      expect(found.centreX).toBeCloseTo(frame.centreX, 6);
      expect(found.centreY).toBeCloseTo(frame.centreY, 6);
      expect(found.side).toBeCloseTo(frame.side, 6);
      expect(found.angle).toBeCloseTo(frame.angle, 9);
    }
  });

  it("falls back to the box (no rotation, centre raised) without usable keypoints", () => {
    const box = { x: 100, y: 50, width: 80, height: 80 };
    for (const landmarks of [
      undefined,
      [],
      [
        { x: 5, y: 5 },
        { x: 5, y: 5 },
        { x: 6, y: 9 },
        { x: 6, y: 12 },
      ],
    ]) {
      const frame = faceFrame({ box, ...(landmarks ? { landmarks } : {}) });
      expect(frame.angle).toBe(0);
      expect(frame.side).toBeCloseTo(80 * FER_SIDE_PER_BOX_SIDE, 9);
      expect(frame.centreX).toBe(140);
      expect(frame.centreY).toBeCloseTo(90 - frame.side * FER_CENTRE_ABOVE_BOX_CENTRE, 9);
    }
  });
});

describe("cropFace framing", () => {
  it("levels the eye line of a rotated face", async () => {
    // A light canvas with four dark dots at a rotated face's eyes, nose and mouth.
    const frame = { centreX: 150, centreY: 130, side: 144, angle: degrees(-17) };
    const keypoints = keypointsOf(frame);
    const [width, height] = [300, 260];
    const rgb = new Uint8Array(width * height * 3).fill(220);
    for (const point of keypoints.slice(0, 4)) {
      for (let y = Math.round(point.y) - 4; y <= Math.round(point.y) + 4; y++) {
        for (let x = Math.round(point.x) - 4; x <= Math.round(point.x) + 4; x++) {
          if ((x - point.x) ** 2 + (y - point.y) ** 2 <= 16)
            rgb.fill(20, (y * width + x) * 3, (y * width + x) * 3 + 3);
        }
      }
    }
    const crop = await cropFace(
      { width, height, channels: 3, rgb, format: "png" },
      { box: anyBox, landmarks: keypoints },
    );
    // Centroid of the dark pixels in each upper quadrant: the two eyes.
    const eye = (fromX: number, toX: number) => {
      let [sum, sumX, sumY] = [0, 0, 0];
      for (let y = 0; y < 24; y++) {
        for (let x = fromX; x < toX; x++) {
          const darkness = Math.max(0, 200 - crop[y * 48 + x]!);
          sum += darkness;
          sumX += darkness * x;
          sumY += darkness * y;
        }
      }
      return { x: sumX / sum + 0.5, y: sumY / sum + 0.5 };
    };
    const [right, left] = [eye(0, 24), eye(24, 48)];
    expect(Math.abs(right.y - left.y)).toBeLessThan(0.5);
    // ... and where FER-2013 puts eyes.
    expect(right.x).toBeCloseTo(FER_KEYPOINT_TEMPLATE[0]![0], 0);
    expect(left.x).toBeCloseTo(FER_KEYPOINT_TEMPLATE[1]![0], 0);
    expect(right.y).toBeCloseTo(FER_KEYPOINT_TEMPLATE[0]![1], 0);
  });

  it("gives back a FER-2013 face placed at a known position, size and angle", async () => {
    const folder = join(FER_VAL_DIR, "surprise");
    const file = join(
      folder,
      readdirSync(folder)
        .filter((name) => name.endsWith(".jpg"))
        .sort()[0]!,
    );
    const original = await preprocessCrop(file);
    for (const [side, angleDegrees, left, top] of [
      [180, 0, 40, 60],
      [260, 11, 300, 20],
      [130, -14, 150, 210],
    ] as const) {
      // Enlarged and turned like a face in a photo, on a flat gray canvas (sharp rotates clockwise about the centre).
      const layer = await sharp(original, { raw: { width: 48, height: 48, channels: 1 } })
        .resize(side, side, { kernel: "cubic" })
        .toColourspace("srgb")
        .ensureAlpha()
        .rotate(angleDegrees, { background: { r: 0, g: 0, b: 0, alpha: 0 } })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const photo = await sharp({
        create: { width: 640, height: 480, channels: 3, background: { r: 90, g: 140, b: 60 } },
      })
        .composite([
          {
            input: layer.data,
            raw: { width: layer.info.width, height: layer.info.height, channels: 4 },
            left,
            top,
          },
        ])
        .png()
        .toBuffer();
      const frame = {
        centreX: left + layer.info.width / 2,
        centreY: top + layer.info.height / 2,
        side,
        angle: degrees(angleDegrees),
      };
      const crop = await cropFace(await decodeImage(photo), { box: anyBox, landmarks: keypointsOf(frame) });
      expect(correlation(crop, original)).toBeGreaterThan(0.95);
      // A frame off by 3 of the 48 pixels is visibly worse: the check above can fail.
      const shifted = await cropFace(await decodeImage(photo), {
        box: anyBox,
        landmarks: keypointsOf({ ...frame, centreX: frame.centreX + (3 / 48) * side }),
      });
      expect(correlation(shifted, original)).toBeLessThan(correlation(crop, original) - 0.05);
    }
  });
});
