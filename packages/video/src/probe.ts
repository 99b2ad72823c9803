import { open, stat } from "node:fs/promises";
import { AppError } from "@moodlens/shared";
import { locateFfmpeg, runFfmpeg } from "./ffmpeg";
import { DEFAULT_VIDEO_LIMITS, SUPPORTED_CODECS, SUPPORTED_CONTAINERS } from "./limits";
import type { VideoInfo, VideoLimits } from "./types";

export interface ProbeOptions {
  /** ffmpeg binary (default: locateFfmpeg()). */
  ffmpegPath?: string;
  limits?: Partial<VideoLimits>;
  signal?: AbortSignal;
}

const notAVideo = (file: string, reason: string, cause?: unknown) =>
  new AppError("BAD_USER_INPUT", `the file is not a video that can be analysed: ${reason}`, {
    details: { reason: "not-a-video", file: file.split(/[\\/]/).pop() },
    hint: "send an mp4 (H.264), webm (VP8/VP9) or mov file",
    ...(cause ? { cause } : {}),
  });

export const truncatedVideo = (detail: string) =>
  new AppError("BAD_USER_INPUT", `the video file is truncated or damaged (${detail})`, {
    details: { reason: "truncated" },
    hint: "upload the complete file again",
  });

const parseClock = (text: string): number => {
  const [h, m, s] = text.split(":").map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
};

/** Parses `ffmpeg -i` output (the npm package ships no ffprobe). Exported for the tests of odd headers. */
export type ParsedInfo =
  | { ok: true; info: Omit<VideoInfo, "bytes">; durationKnown: boolean; container: string }
  | { ok: false; error: "truncated" | "invalid" | "no-video-stream" };

export function parseFfmpegInfo(log: string): ParsedInfo {
  if (/moov atom not found|Invalid data found when processing input|EBML header parsing failed/i.test(log)) {
    return { ok: false, error: /moov atom not found/i.test(log) ? "truncated" : "invalid" };
  }
  const input = /Input #0, ([^\n]+?), from /.exec(log);
  if (!input) return { ok: false, error: "invalid" };
  const container = input[1]!;
  // The first real video stream: cover art in mp4/mov is a video stream marked "(attached pic)".
  const streamLine = log
    .split("\n")
    .find((line) => /Stream #0:\d+.*: Video: /.test(line) && !/attached pic/.test(line));
  if (!streamLine) return { ok: false, error: "no-video-stream" };
  const codec = /Video: ([\w-]+)/.exec(streamLine)?.[1] ?? "unknown";
  const size = /, (\d{1,6})x(\d{1,6})(?=[\s,[]|$)/.exec(streamLine);
  const fps = /, ([\d.]+)(k?) fps/.exec(streamLine) ?? /, ([\d.]+)(k?) tbr/.exec(streamLine);
  const duration = /Duration: (\d+:\d{2}:\d{2}(?:\.\d+)?)/.exec(log);
  // Phones store rotation as metadata; ffmpeg turns the frames on decode, so the decoded size swaps for 90/270.
  const rotateTag = /rotate\s*:\s*(-?\d+)/.exec(log)?.[1];
  const displayMatrix = /rotation of (-?[\d.]+) degrees/.exec(log)?.[1];
  const rawRotation =
    rotateTag !== undefined ? Number(rotateTag) : displayMatrix !== undefined ? -Number(displayMatrix) : 0;
  const rotation = (((Math.round(rawRotation / 90) * 90) % 360) + 360) % 360;
  let width = size ? Number(size[1]) : 0;
  let height = size ? Number(size[2]) : 0;
  if (rotation === 90 || rotation === 270) [width, height] = [height, width];
  const family = container.includes("mp4") ? "mov" : container.includes("matroska") ? "matroska" : container;
  const format =
    family === "mov"
      ? /major_brand\s*:\s*qt/.test(log)
        ? "mov"
        : "mp4"
      : family === "matroska"
        ? ["vp8", "vp9", "av1"].includes(codec)
          ? "webm"
          : "matroska"
        : container;
  return {
    ok: true,
    container,
    durationKnown: Boolean(duration),
    info: {
      width,
      height,
      durationSeconds: duration ? parseClock(duration[1]!) : 0,
      fps: fps ? Number(fps[1]) * (fps[2] ? 1000 : 1) : null,
      codec,
      format,
      rotation,
    },
  };
}

async function startsLikeMp4(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(12);
    await handle.read(head, 0, 12, 0);
    return ["ftyp", "wide", "mdat", "moov", "free"].includes(head.toString("latin1", 4, 8));
  } finally {
    await handle.close();
  }
}

/** Duration of a file whose header has none (browser-recorded webm): copy the video stream to nowhere and read the last time. */
async function measureDuration(ffmpeg: string, file: string, signal?: AbortSignal): Promise<number> {
  const run = await runFfmpeg(
    ffmpeg,
    ["-hide_banner", "-nostdin", "-i", file, "-map", "0:v:0", "-c", "copy", "-f", "null", "-"],
    signal,
  );
  const times = [...run.stderr.matchAll(/time=(\d+:\d{2}:\d{2}(?:\.\d+)?)/g)];
  const last = times.at(-1);
  return last ? parseClock(last[1]!) : 0;
}

/**
 * Reads a video's header: size, duration, frame rate, codec, container, bytes. Enforces `limits` (defaults:
 * DEFAULT_VIDEO_LIMITS) before anything is decoded. Typed errors: BAD_USER_INPUT for not-a-video, truncated or
 * unsupported files (details.reason says which), PAYLOAD_TOO_LARGE for a limit, NOT_FOUND for a missing file.
 */
export async function probeVideo(file: string, options: ProbeOptions = {}): Promise<VideoInfo> {
  const limits = { ...DEFAULT_VIDEO_LIMITS, ...options.limits };
  const bytes = await stat(file).then(
    (info) => info.size,
    (cause: unknown) => {
      throw new AppError("NOT_FOUND", "the video file does not exist", { cause });
    },
  );
  if (bytes === 0) throw notAVideo(file, "the file is empty");
  if (bytes > limits.maxBytes) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `the video is ${(bytes / 2 ** 20).toFixed(1)} MiB; the limit is ${(limits.maxBytes / 2 ** 20).toFixed(0)} MiB`,
      {
        details: { reason: "too-large", bytes, maxBytes: limits.maxBytes },
        hint: "split the video or lower its bit rate",
      },
    );
  }
  const ffmpeg = options.ffmpegPath ?? locateFfmpeg();
  const run = await runFfmpeg(ffmpeg, ["-hide_banner", "-nostdin", "-i", file], options.signal);
  const parsed = parseFfmpegInfo(run.stderr);
  if (!parsed.ok) {
    // ffmpeg says "moov atom not found" for any data it tried as mp4 (by the file name): only a file that starts
    // like an mp4/mov (an ftyp box) is a cut video; anything else is not a video at all.
    if (parsed.error === "truncated" && (await startsLikeMp4(file)))
      throw truncatedVideo("its index is missing");
    throw notAVideo(
      file,
      parsed.error === "no-video-stream" ? "it has no video stream" : "ffmpeg cannot read it",
    );
  }
  const { durationKnown, container, info } = parsed;
  if (!SUPPORTED_CONTAINERS.some((name) => name === container))
    throw notAVideo(file, `unsupported container "${container}"`);
  if (!SUPPORTED_CODECS.some((codec) => codec === info.codec)) {
    throw new AppError("BAD_USER_INPUT", `unsupported video codec "${info.codec}"`, {
      details: { reason: "unsupported-codec", codec: info.codec, supported: SUPPORTED_CODECS },
      hint: "send H.264, H.265, VP8, VP9 or AV1 video",
    });
  }
  if (info.width <= 0 || info.height <= 0) throw notAVideo(file, "its frame size is unknown");
  if (info.width * info.height > limits.maxPixels) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `the video's frames are ${info.width}x${info.height}; the limit is ${limits.maxPixels} pixels a frame`,
      {
        details: {
          reason: "too-many-pixels",
          width: info.width,
          height: info.height,
          maxPixels: limits.maxPixels,
        },
        hint: "downscale the video (e.g. to 1080p)",
      },
    );
  }
  const durationSeconds =
    durationKnown && info.durationSeconds > 0
      ? info.durationSeconds
      : await measureDuration(ffmpeg, file, options.signal);
  if (!(durationSeconds > 0)) throw truncatedVideo("it holds no complete frame");
  if (durationSeconds > limits.maxDurationSeconds) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `the video lasts ${durationSeconds.toFixed(1)} s; the limit is ${limits.maxDurationSeconds} s`,
      {
        details: { reason: "too-long", durationSeconds, maxDurationSeconds: limits.maxDurationSeconds },
        hint: "split the video into shorter parts",
      },
    );
  }
  return { ...info, durationSeconds, bytes };
}
