import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@moodlens/shared";
import { probeVideo, sampleFrames, type SampledFrame, type SampleOptions } from "../src";
import {
  CLIP_HEIGHT,
  CLIP_WIDTH,
  makeClipDir,
  makePanClip,
  makeTruncatedClip,
  type ClipFormat,
} from "../src/testing";

async function collect(file: string, options: SampleOptions): Promise<SampledFrame[]> {
  const frames: SampledFrame[] = [];
  for await (const frame of sampleFrames(file, options)) frames.push(frame);
  return frames;
}

const failure = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** ffmpeg processes started by this test process (zombies excluded). */
function ffmpegChildren(): number {
  try {
    const lines = execFileSync("ps", ["-o", "pid=,stat=,comm=", "--ppid", String(process.pid)], {
      encoding: "utf8",
    });
    return lines.split("\n").filter((line) => /ffmpeg/.test(line) && !/\sZ/.test(line)).length;
  } catch {
    return 0; // ps exits 1 when there is no child at all
  }
}

let dir: string;
let pan: string;
beforeAll(async () => {
  dir = await makeClipDir();
  pan = await makePanClip({ dir, seconds: 4 });
});

describe("sampleFrames", () => {
  it.each(["mp4", "webm", "webm-vp9", "mov"] satisfies ClipFormat[])(
    "samples a 4 s %s clip at 2 fps: 8 RGB frames, 0.5 s apart",
    async (format) => {
      const file = format === "mp4" ? pan : await makePanClip({ dir, format, name: `sample-${format}` });
      const frames = await collect(file, { sampleFps: 2 });
      expect(frames.map((frame) => frame.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(frames.map((frame) => frame.seconds)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
      for (const { image, scale } of frames) {
        expect(image).toMatchObject({ width: CLIP_WIDTH, height: CLIP_HEIGHT, channels: 3, format: "raw" });
        expect(image.rgb.length).toBe(CLIP_WIDTH * CLIP_HEIGHT * 3);
        expect(scale).toBe(1);
      }
      // The camera pans: consecutive samples are different pictures, and not blank.
      expect(Buffer.compare(frames[0]!.image.rgb, frames[1]!.image.rgb)).not.toBe(0);
      expect(frames[0]!.image.rgb.some((value) => value > 50)).toBe(true);
    },
  );

  it("scales frames down to maxSide", async () => {
    const frames = await collect(pan, { sampleFps: 1, maxSide: 320 });
    expect(frames).toHaveLength(4);
    expect(frames[0]!.image).toMatchObject({ width: 320, height: 180 });
    expect(frames[0]!.image.rgb.length).toBe(320 * 180 * 3);
    expect(frames[0]!.scale).toBe(0.5);
  });

  it("resumes from startFrame with exactly the frames of an uninterrupted run", async () => {
    // 25 fps, and 29.97 fps in webm (frame times never on the sampling grid), keyframes far apart (seeks decode forward).
    const ntsc = await makePanClip({ dir, format: "webm", fps: 30000 / 1001, name: "ntsc" });
    for (const [file, sampleFps] of [
      [pan, 2],
      [pan, 3],
      [ntsc, 3],
    ] as const) {
      const info = await probeVideo(file);
      const full = await collect(file, { sampleFps, info });
      for (const startFrame of [1, 5]) {
        const resumed = await collect(file, { sampleFps, info, startFrame });
        expect(resumed.map((frame) => frame.index)).toEqual(
          full.slice(startFrame).map((frame) => frame.index),
        );
        expect(resumed.map((frame) => frame.seconds)).toEqual(
          full.slice(startFrame).map((frame) => frame.seconds),
        );
        resumed.forEach((frame, i) =>
          expect(Buffer.compare(frame.image.rgb, full[startFrame + i]!.image.rgb)).toBe(0),
        );
      }
    }
  });

  it("kills ffmpeg when the consumer stops early, and throws the reason when aborted", async () => {
    for await (const frame of sampleFrames(pan, { sampleFps: 10 })) {
      expect(frame.index).toBe(0);
      break;
    }
    // SIGKILL is sent when the loop breaks; wait for the process table to catch up (no time limit asserted).
    for (let i = 0; i < 100 && ffmpegChildren() > 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ffmpegChildren()).toBe(0);

    const controller = new AbortController();
    const seen: number[] = [];
    const error = await failure(
      (async () => {
        for await (const frame of sampleFrames(pan, { sampleFps: 10, signal: controller.signal })) {
          seen.push(frame.index);
          if (frame.index === 2) controller.abort(new Error("job cancelled"));
        }
      })(),
    );
    expect((error as Error).message).toBe("job cancelled");
    expect(seen.length).toBeLessThan(40);
  });

  it.each(["mp4", "webm"] satisfies ClipFormat[])(
    "fails with a truncated error on a cut %s file, after the frames it could decode",
    async (format) => {
      const file = await makeTruncatedClip({ dir, format, name: `cut-${format}`, keep: 0.5 });
      const frames: number[] = [];
      const error = await failure(
        (async () => {
          for await (const frame of sampleFrames(file, { sampleFps: 2 })) frames.push(frame.index);
        })(),
      );
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: "BAD_USER_INPUT", details: { reason: "truncated" } });
      expect(frames.length).toBeLessThan(8);
    },
  );

  it("refuses bad options with typed errors", async () => {
    for (const options of [
      { sampleFps: 0 },
      { sampleFps: 31 },
      { sampleFps: 2, startFrame: -1 },
      { sampleFps: 2, maxSide: 4 },
    ]) {
      const error = await failure(collect(pan, options));
      expect(error).toMatchObject({ code: "BAD_USER_INPUT" });
    }
  });
});
