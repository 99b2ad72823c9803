import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@moodlens/shared";
import { locateFfmpeg, probeVideo, sampleFrames } from "../src";
import {
  CLIP_HEIGHT,
  CLIP_WIDTH,
  makeClipDir,
  makePanClip,
  makeTruncatedClip,
  SAMPLE_PHOTOS_DIR,
  PAN_PHOTO,
} from "../src/testing";

const rejection = async (promise: Promise<unknown>): Promise<AppError> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

let dir: string;
beforeAll(async () => {
  dir = await makeClipDir();
});

describe("locateFfmpeg", () => {
  it("finds the binary shipped by @ffmpeg-installer/ffmpeg and refuses a path that is not one", () => {
    expect(locateFfmpeg()).toMatch(/@ffmpeg-installer[\\/]/);
    expect(() => locateFfmpeg(join(dir, "no-such-ffmpeg"))).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });
});

describe("probeVideo", () => {
  const formats = [
    { format: "mp4", codec: "h264", container: "mp4" },
    { format: "webm", codec: "vp8", container: "webm" },
    { format: "webm-vp9", codec: "vp9", container: "webm" },
    { format: "mov", codec: "h264", container: "mov" },
  ] as const;
  it.each(formats)("reads a $format clip ($codec)", async ({ format, codec, container }) => {
    const file = await makePanClip({ dir, format, name: `probe-${format}`, seconds: 2 });
    const info = await probeVideo(file);
    expect(info).toMatchObject({
      width: CLIP_WIDTH,
      height: CLIP_HEIGHT,
      codec,
      format: container,
      fps: 25,
      rotation: 0,
    });
    expect(info.durationSeconds).toBeCloseTo(2, 1);
    expect(info.bytes).toBeGreaterThan(1000);
  });

  it("reads a browser-style webm without duration in its header, and turns phone-rotated frames upright", async () => {
    const streamed = await makePanClip({ dir, format: "webm", name: "streamed", seconds: 2, streamed: true });
    const info = await probeVideo(streamed);
    expect(info).toMatchObject({ format: "webm", codec: "vp8", width: CLIP_WIDTH, height: CLIP_HEIGHT });
    expect(info.durationSeconds).toBeCloseTo(2, 1);

    const rotated = await makePanClip({ dir, name: "rotated", seconds: 1, rotate: 90 });
    const upright = await probeVideo(rotated);
    expect(upright).toMatchObject({ width: CLIP_HEIGHT, height: CLIP_WIDTH });
    expect([90, 270]).toContain(upright.rotation);
    for await (const frame of sampleFrames(rotated, { sampleFps: 1, info: upright })) {
      expect(frame.image).toMatchObject({ width: CLIP_HEIGHT, height: CLIP_WIDTH });
      expect(frame.image.rgb.length).toBe(CLIP_WIDTH * CLIP_HEIGHT * 3);
    }
  });

  it("refuses files that are not videos: a photo, text, an empty file", async () => {
    const text = join(dir, "notes.mp4");
    await writeFile(text, "this is not a video\n".repeat(100));
    const empty = join(dir, "empty.webm");
    await writeFile(empty, "");
    for (const file of [join(SAMPLE_PHOTOS_DIR, PAN_PHOTO), text, empty]) {
      const error = await rejection(probeVideo(file));
      expect(error.code).toBe("BAD_USER_INPUT");
      expect(error.details?.reason).toBe("not-a-video");
    }
    expect((await rejection(probeVideo(join(dir, "missing.mp4")))).code).toBe("NOT_FOUND");
  });

  it("says truncated when the cut removed the mp4 index", async () => {
    const file = await makeTruncatedClip({ dir, indexLast: true, name: "cut-index", seconds: 2 });
    const error = await rejection(probeVideo(file));
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.details?.reason).toBe("truncated");
  });

  it("enforces the limits on bytes, duration and frame size before decoding", async () => {
    const file = await makePanClip({ dir, name: "limits", seconds: 2 });
    const tooBig = await rejection(probeVideo(file, { limits: { maxBytes: 1000 } }));
    expect(tooBig).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: expect.objectContaining({ reason: "too-large" }),
    });
    const tooLong = await rejection(probeVideo(file, { limits: { maxDurationSeconds: 1.5 } }));
    expect(tooLong).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: expect.objectContaining({ reason: "too-long" }),
    });
    const tooWide = await rejection(
      probeVideo(file, { limits: { maxPixels: CLIP_WIDTH * CLIP_HEIGHT - 1 } }),
    );
    expect(tooWide).toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      details: expect.objectContaining({ reason: "too-many-pixels" }),
    });
    await expect(
      probeVideo(file, {
        limits: { maxBytes: 10e6, maxDurationSeconds: 2.5, maxPixels: CLIP_WIDTH * CLIP_HEIGHT },
      }),
    ).resolves.toBeTruthy();
  });
});
