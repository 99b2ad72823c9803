import { open } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { probeVideo, sampleFrames } from "../src";
import {
  CLIP_HEIGHT,
  CLIP_WIDTH,
  makeClipDir,
  makeEnterLeaveClip,
  makeFakeCameraY4m,
  makeNoFaceClip,
} from "../src/testing";

let dir: string;
beforeAll(async () => {
  dir = await makeClipDir();
});

/** Pixels that are not the grey background, and the mean x of those (the face's centre). */
function faceArea(rgb: Uint8Array, width: number): { pixels: number; centreX: number } {
  let pixels = 0;
  let sumX = 0;
  for (let p = 0; p < rgb.length / 3; p++) {
    const off =
      Math.abs(rgb[p * 3]! - 0x80) + Math.abs(rgb[p * 3 + 1]! - 0x80) + Math.abs(rgb[p * 3 + 2]! - 0x80);
    if (off > 24) {
      pixels++;
      sumX += p % width;
    }
  }
  return { pixels, centreX: pixels ? sumX / pixels : Number.NaN };
}

describe("test clip makers", () => {
  it("the enter/leave clip starts and ends on a plain background and has the face in the middle", async () => {
    const file = await makeEnterLeaveClip({ dir });
    const frames = [];
    for await (const frame of sampleFrames(file, { sampleFps: 2 })) frames.push(frame);
    expect(frames).toHaveLength(8);
    const areas = frames.map((frame) => faceArea(frame.image.rgb, CLIP_WIDTH));
    // In the middle the whole 180x180 face crop is in view; at the start and the end at most a part of it.
    expect(areas[4]!.pixels).toBeGreaterThan(0.8 * 180 * 180);
    expect(areas[0]!.pixels).toBeLessThan(0.5 * areas[4]!.pixels);
    expect(areas[7]!.pixels).toBeLessThan(0.5 * areas[4]!.pixels);
    // It moves left to right.
    const centres = areas.filter((area) => area.pixels > 0).map((area) => area.centreX);
    expect(centres.length).toBeGreaterThanOrEqual(6);
    centres.forEach((x, i) => i > 0 && expect(x).toBeGreaterThan(centres[i - 1]!));
  });

  it("the no-face clip and the y4m for Chromium's fake camera are what they claim", async () => {
    const noFace = await probeVideo(await makeNoFaceClip({ dir, format: "webm" }));
    expect(noFace).toMatchObject({ format: "webm", codec: "vp8", width: CLIP_WIDTH, height: CLIP_HEIGHT });
    const y4m = await makeFakeCameraY4m({ dir, seconds: 1 });
    const handle = await open(y4m, "r");
    const header = Buffer.alloc(40);
    await handle.read(header, 0, 40, 0);
    const { size } = await handle.stat();
    await handle.close();
    expect(header.toString("latin1")).toMatch(new RegExp(`^YUV4MPEG2 W${CLIP_WIDTH} H${CLIP_HEIGHT} F10:1`));
    // 10 frames of 4:2:0 (1.5 bytes a pixel) plus the headers.
    expect(size).toBeGreaterThan(10 * CLIP_WIDTH * CLIP_HEIGHT * 1.5);
  });
});
