import { mkdtemp, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AppError } from "@moodlens/shared";
import { locateFfmpeg, runFfmpeg } from "../ffmpeg";

/**
 * Test clips made with ffmpeg from the still photos in ../shared/samples (never committed, written to a temp
 * dir). Used by this package's tests, the worker's and API's tests, the e2e suite and the bench.
 */
export type ClipFormat = "mp4" | "webm" | "webm-vp9" | "mov";

export interface ClipOptions {
  /** Output folder (default: a new temp folder per call). */
  dir?: string;
  /** File name without extension (default: the kind of clip). */
  name?: string;
  format?: ClipFormat;
  seconds?: number;
  /** Frame rate of the file. */
  fps?: number;
  ffmpegPath?: string;
  /** Folder of the sample photos (default: ../shared/samples/group-photos beside the repository). */
  photosDir?: string;
  /** Rotation metadata as phones write it (the pixels stay landscape; players and ffmpeg turn them). */
  rotate?: 90 | 180 | 270;
  /**
   * Written to a pipe instead of a file, as browsers' MediaRecorder does: a webm without duration or index
   * (mp4 and mov need a seekable output and ignore this).
   */
  streamed?: boolean;
}

export const SAMPLE_PHOTOS_DIR = fileURLToPath(
  new URL("../../../../../shared/samples/group-photos/", import.meta.url),
);

/**
 * two_people.jpg (1126x661): the face boxes BlazeFace finds in it, in photo pixels (measured with the shipped
 * model). The pan keeps both in view; the enter/leave clip moves a crop around the right one.
 */
export const PAN_PHOTO = "two_people.jpg";
export const PAN_PHOTO_FACES = [
  { x: 234, y: 78, width: 151, height: 151 },
  { x: 787, y: 95, width: 154, height: 154 },
] as const;

/** Clip frame size: 640x360 (16:9, small enough for fast tests, large enough for BlazeFace). */
export const CLIP_WIDTH = 640;
export const CLIP_HEIGHT = 360;

const EXTENSIONS: Record<ClipFormat, string> = { mp4: "mp4", webm: "webm", "webm-vp9": "webm", mov: "mov" };
const ENCODERS: Record<ClipFormat, string[]> = {
  mp4: [
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
  ],
  mov: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-f", "mov"],
  webm: [
    "-c:v",
    "libvpx",
    "-deadline",
    "realtime",
    "-cpu-used",
    "8",
    "-b:v",
    "1M",
    "-pix_fmt",
    "yuv420p",
    "-f",
    "webm",
  ],
  "webm-vp9": [
    "-c:v",
    "libvpx-vp9",
    "-deadline",
    "realtime",
    "-cpu-used",
    "8",
    "-b:v",
    "1M",
    "-pix_fmt",
    "yuv420p",
    "-f",
    "webm",
  ],
};

export const makeClipDir = (): Promise<string> => mkdtemp(join(tmpdir(), "moodlens-video-"));

async function encode(
  kind: string,
  options: ClipOptions,
  inputAndFilters: string[],
  encoder?: string[],
): Promise<string> {
  const format = options.format ?? "mp4";
  const dir = options.dir ?? (await makeClipDir());
  const file = join(dir, `${options.name ?? kind}.${encoder ? "y4m" : EXTENSIONS[format]}`);
  const ffmpeg = options.ffmpegPath ?? locateFfmpeg();
  const streamed = options.streamed === true && format.startsWith("webm") && !encoder;
  const output = streamed ? "pipe:1" : file;
  const run = await runFfmpeg(ffmpeg, [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    "-y",
    ...inputAndFilters,
    ...(encoder ?? ENCODERS[format]),
    output,
  ]);
  if (run.code !== 0)
    throw new AppError(
      "INTERNAL",
      `ffmpeg could not make the ${kind} clip: ${run.stderr.trim().split("\n").at(-1)}`,
    );
  if (streamed) await writeFile(file, run.stdout);
  if (options.rotate) {
    // The rotate tag is only written on a stream copy (an encode drops it): copy into a second file and swap.
    const rotated = `${file}.rotated.${EXTENSIONS[format]}`;
    const copy = await runFfmpeg(ffmpeg, [
      "-hide_banner",
      "-nostdin",
      "-v",
      "error",
      "-y",
      "-i",
      file,
      "-c",
      "copy",
      "-metadata:s:v:0",
      `rotate=${options.rotate}`,
      rotated,
    ]);
    if (copy.code !== 0)
      throw new AppError(
        "INTERNAL",
        `ffmpeg could not rotate the ${kind} clip: ${copy.stderr.trim().split("\n").at(-1)}`,
      );
    await rename(rotated, file);
  }
  return file;
}

const photo = (options: ClipOptions, name: string) => join(options.photosDir ?? SAMPLE_PHOTOS_DIR, name);

/** Inputs + filters of a pan across two_people.jpg: both faces stay in view, moving 160 px left to right. */
function panInput(options: ClipOptions): string[] {
  const seconds = options.seconds ?? 4;
  const fps = options.fps ?? 25;
  return [
    "-loop",
    "1",
    "-framerate",
    String(fps),
    "-t",
    String(seconds),
    "-i",
    photo(options, PAN_PHOTO),
    // 1126x661 -> 800x470 (faces ~107 px); a 640x360 window slides 160 px over the clip.
    "-vf",
    `scale=800:-2,setsar=1,crop=${CLIP_WIDTH}:${CLIP_HEIGHT}:x='160*t/${seconds}':y=30,format=yuv420p`,
  ];
}

/** A pan across a group photo with two faces (default 4 s, 25 fps, mp4). */
export const makePanClip = (options: ClipOptions = {}): Promise<string> =>
  encode("pan", options, panInput(options));

/**
 * One face crossing a plain grey background from left to right: it enters, is fully in view in the middle of
 * the clip, and leaves (default 4 s, 25 fps, mp4).
 */
export function makeEnterLeaveClip(options: ClipOptions = {}): Promise<string> {
  const seconds = options.seconds ?? 4;
  const fps = options.fps ?? 25;
  const face = PAN_PHOTO_FACES[1];
  const side = 274; // the face box plus 60 px of head and background on each side
  const size = 180;
  return encode("enter-leave", options, [
    "-f",
    "lavfi",
    "-i",
    `color=c=0x808080:s=${CLIP_WIDTH}x${CLIP_HEIGHT}:r=${fps}:d=${seconds}`,
    "-loop",
    "1",
    "-framerate",
    String(fps),
    "-i",
    photo(options, PAN_PHOTO),
    "-filter_complex",
    `[1:v]crop=${side}:${side}:${face.x - 60}:${face.y - 60},scale=${size}:${size},setsar=1[face];` +
      `[0:v][face]overlay=x='-${size}+${CLIP_WIDTH + size}*t/${seconds}':y=${(CLIP_HEIGHT - size) / 2}:shortest=1,format=yuv420p`,
  ]);
}

/** ffmpeg's moving test pattern: no face anywhere (default 3 s, 25 fps, mp4). */
export function makeNoFaceClip(options: ClipOptions = {}): Promise<string> {
  const seconds = options.seconds ?? 3;
  const fps = options.fps ?? 25;
  return encode("no-face", options, [
    "-f",
    "lavfi",
    "-i",
    `testsrc2=s=${CLIP_WIDTH}x${CLIP_HEIGHT}:r=${fps}:d=${seconds}`,
  ]);
}

/**
 * A pan clip cut after `keep` of its bytes. mp4 is written with its index first (faststart), so the header still
 * promises the whole duration and the cut shows while decoding; `indexLast: true` writes the index at the end,
 * which the cut removes (probing fails).
 */
export async function makeTruncatedClip(
  options: ClipOptions & { keep?: number; indexLast?: boolean } = {},
): Promise<string> {
  const full = await encode(
    "pan-full",
    { ...options, name: `${options.name ?? "truncated"}-full` },
    panInput(options),
    options.indexLast && (options.format ?? "mp4") === "mp4"
      ? ENCODERS.mp4.filter((arg) => arg !== "-movflags" && arg !== "+faststart")
      : undefined,
  );
  const bytes = await readFile(full);
  const file = full.replace(/-full\.(\w+)$/, ".$1");
  await writeFile(file, bytes.subarray(0, Math.floor(bytes.length * (options.keep ?? 0.5))));
  return file;
}

/**
 * A y4m (raw YUV 4:2:0) for Chromium's fake camera: `--use-fake-device-for-media-stream
 * --use-file-for-fake-video-capture=<file>`; Chromium loops it. Default: the pan at 10 fps for 4 s (~14 MB).
 */
export function makeFakeCameraY4m(
  options: ClipOptions & { clip?: "pan" | "enter-leave" } = {},
): Promise<string> {
  const withFps = { fps: 10, ...options };
  if (options.clip === "enter-leave") {
    return makeEnterLeaveClip({ ...withFps, format: "mp4", name: "enter-leave-source" }).then((source) =>
      encode("camera", withFps, ["-i", source], ["-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe"]),
    );
  }
  return encode("camera", withFps, panInput(withFps), ["-pix_fmt", "yuv420p", "-f", "yuv4mpegpipe"]);
}
