import { spawn } from "node:child_process";
import { AppError } from "@moodlens/shared";
import { locateFfmpeg, stderrTail } from "./ffmpeg";
import { probeVideo, truncatedVideo } from "./probe";
import type { SampledFrame, VideoInfo, VideoLimits } from "./types";

export interface SampleOptions {
  /** Frames per second of video to take (a frame every 1 / sampleFps seconds, from 0). */
  sampleFps: number;
  /** Resume: the first sample to return (samples before it are not decoded to RGB, and most are seeked over). */
  startFrame?: number;
  /** Scale frames down so that their longer side is at most this (boxes then divide by frame.scale). */
  maxSide?: number;
  /** From probeVideo, so the file is not probed twice. */
  info?: VideoInfo;
  limits?: Partial<VideoLimits>;
  ffmpegPath?: string;
  /** Aborting kills ffmpeg; the iteration then throws the signal's reason. */
  signal?: AbortSignal;
}

export const MAX_SAMPLE_FPS = 30;

/** How many samples a video gives at `sampleFps` (ffmpeg's fps filter may give one more or less at the end). */
export const estimateSampledFrames = (durationSeconds: number, sampleFps: number): number =>
  Math.max(1, Math.round(durationSeconds * sampleFps));

/**
 * ffmpeg's messages when the data ends early (the demuxer runs out mid-packet); any of them fails the run as
 * truncated. Decoder complaints alone ("error while decoding MB ...") are not on the list: phones and browsers write
 * streams that log some and play fine; a file that really lost data also falls short of its samples (checked below).
 */
const TRUNCATION =
  /partial file|Read error|Truncat|Invalid NAL unit size|Error splitting the input into NAL units/i;

export function outputSize(
  info: Pick<VideoInfo, "width" | "height">,
  maxSide?: number,
): { width: number; height: number; scale: number } {
  const longer = Math.max(info.width, info.height);
  if (!maxSide || longer <= maxSide) return { width: info.width, height: info.height, scale: 1 };
  const scale = maxSide / longer;
  return {
    width: Math.max(1, Math.round(info.width * scale)),
    height: Math.max(1, Math.round(info.height * scale)),
    scale,
  };
}

function checkOptions(options: SampleOptions): void {
  if (!(options.sampleFps > 0 && options.sampleFps <= MAX_SAMPLE_FPS)) {
    throw new AppError("BAD_USER_INPUT", `sampleFps must be above 0 and at most ${MAX_SAMPLE_FPS}`, {
      details: { sampleFps: options.sampleFps },
    });
  }
  const start = options.startFrame ?? 0;
  if (!Number.isInteger(start) || start < 0)
    throw new AppError("BAD_USER_INPUT", "startFrame must be an integer >= 0");
  if (options.maxSide !== undefined && !(Number.isInteger(options.maxSide) && options.maxSide >= 16)) {
    throw new AppError("BAD_USER_INPUT", "maxSide must be an integer >= 16");
  }
}

/**
 * Decodes the samples of a video with ONE ffmpeg process (`fps` filter, rawvideo rgb24 on a pipe). Frames are
 * read as the consumer asks for them, so a slow consumer pauses ffmpeg (pipe backpressure) instead of filling
 * memory. Stopping the iteration early (break, throw, abort) kills ffmpeg.
 *
 * Resuming with `startFrame` gives exactly the frames (pixels and times) of an uninterrupted run: ffmpeg seeks
 * to a sample a little before it, the `fps` filter's grid stays anchored at whole samples, and the extra samples
 * are dropped (tested against a full run).
 *
 * A truncated or damaged file ends the iteration with a BAD_USER_INPUT error (details.reason "truncated") after
 * the frames that could be decoded: consumers keep nothing of a run that did not end normally.
 */
export async function* sampleFrames(
  file: string,
  options: SampleOptions,
): AsyncGenerator<SampledFrame, void, undefined> {
  checkOptions(options);
  options.signal?.throwIfAborted();
  const ffmpeg = options.ffmpegPath ?? locateFfmpeg();
  const info =
    options.info ??
    (await probeVideo(file, { ffmpegPath: ffmpeg, ...(options.limits ? { limits: options.limits } : {}) }));
  const { sampleFps } = options;
  const startFrame = options.startFrame ?? 0;
  // Seek one second of samples early (at least one): the samples in between are decoded and dropped.
  const margin = Math.min(startFrame, Math.max(1, Math.ceil(sampleFps)));
  const firstIndex = startFrame - margin;
  const seekSeconds = (firstIndex / sampleFps).toFixed(6);
  const { width, height, scale } = outputSize(info, options.maxSide);
  const frameBytes = width * height * 3;
  const filters = [`fps=fps=${sampleFps}:start_time=${seekSeconds}`];
  if (scale !== 1) filters.push(`scale=${width}:${height}:flags=area`);
  const args = [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    // -copyts keeps the file's timestamps after the seek, so the fps grid is the same as in a run from 0.
    ...(firstIndex > 0 ? ["-ss", seekSeconds, "-copyts"] : []),
    "-i",
    file,
    "-map",
    "0:v:0",
    "-an",
    "-sn",
    "-dn",
    "-vf",
    filters.join(","),
    "-pix_fmt",
    "rgb24",
    "-f",
    "rawvideo",
    "pipe:1",
  ];
  const child = spawn(ffmpeg, args, { stdio: ["ignore", "pipe", "pipe"] });
  const stderr = stderrTail();
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.on("error", (error) => resolve({ code: null, error }));
    child.on("close", (code) => resolve({ code }));
  });
  let killed = false;
  const kill = () => {
    if (child.exitCode === null && !killed) {
      killed = true;
      child.kill("SIGKILL");
    }
  };
  options.signal?.addEventListener("abort", kill, { once: true });

  let index = firstIndex;
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled < frameBytes) continue;
        if (index >= startFrame) {
          yield {
            index,
            seconds: index / sampleFps,
            image: { width, height, channels: 3, rgb: frame, format: "raw" },
            scale,
          };
          frame = new Uint8Array(frameBytes);
        }
        index++;
        filled = 0;
      }
    }
    const result = await exited;
    options.signal?.throwIfAborted();
    if (result.error)
      throw new AppError("INTERNAL", `ffmpeg could not be started: ${result.error.message}`, {
        cause: result.error,
      });
    const log = stderr.text();
    if (result.code !== 0 || TRUNCATION.test(log) || filled !== 0) {
      if (TRUNCATION.test(log) || filled !== 0) throw truncatedVideo(lastLine(log) || "a frame is cut off");
      throw new AppError(
        "BAD_USER_INPUT",
        `ffmpeg could not decode the video: ${lastLine(log) || `exit code ${result.code}`}`,
        {
          details: { reason: "undecodable" },
        },
      );
    }
    const expected = estimateSampledFrames(info.durationSeconds, sampleFps);
    if (index < expected * 0.9 - 1)
      throw truncatedVideo(`${index} of about ${expected} samples could be decoded`);
  } finally {
    options.signal?.removeEventListener("abort", kill);
    kill();
  }
}

const lastLine = (log: string): string =>
  log
    .trim()
    .split("\n")
    .filter((line) => line.trim())
    .at(-1)
    ?.replace(/^\[[^\]]*\]\s*/, "")
    .slice(0, 200) ?? "";
