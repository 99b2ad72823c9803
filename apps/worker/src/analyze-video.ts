/**
 * One attempt at one video job: probe, sample frames from the checkpoint on, analyse each, track, checkpoint every
 * batch, finish. Every write is fenced by the attempt number (see @moodlens/db videos.ts), so a worker that lost
 * its job (cancelled, or expired and handed to another worker) stops without writing, and a retried job resumes
 * from its last checkpoint: each frame enters the results exactly once.
 *
 * Errors: bad input (not a video, truncated, over a limit) -> the job is FAILED with the error's code and message
 * and the queue message is completed (retrying cannot help). Anything else (database away, a crash) is thrown, and
 * pg-boss retries the job with backoff; after the last retry the dead-letter handler marks it failed.
 */
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  failVideoJob,
  finishVideoJob,
  readVideoUpload,
  saveVideoCheckpoint,
  setVideoJobProbe,
  startVideoJobAttempt,
  type DbClient,
} from "@moodlens/db";
import { AppError, isAppError, type ErrorCode, type FacePrediction } from "@moodlens/shared";
import {
  createTracker,
  estimateSampledFrames,
  probeVideo,
  restoreTracker,
  sampleFrames,
  timelineFromSeconds,
  trackSeconds,
  type SampledFrame,
  type TrackerSnapshot,
  type VideoInfo,
} from "@moodlens/video";

/** What the handler needs of the analyzer: @moodlens/model's FaceAnalyzer.analyzeDecoded and its names. */
export interface FrameAnalyzer {
  analyzeFrame(frame: SampledFrame): Promise<FacePrediction[]>;
  modelVersion: string;
  backend: string;
}

export interface AnalyzeVideoOptions {
  batchFrames: number;
  maxSide: number;
  /** MOODLENS_FFMPEG; unset: the bundled ffmpeg. */
  ffmpegPath?: string | undefined;
  limits: { maxBytes: number; maxDurationSeconds: number };
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export type AttemptOutcome = "done" | "failed" | "skipped" | "lost";

/** Errors that retrying cannot fix: the input is bad. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  "BAD_USER_INPUT",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_IMAGE",
  "NOT_FOUND",
]);
export const isPermanentError = (error: unknown): error is AppError =>
  isAppError(error) && PERMANENT.has(error.code);

const since = (start: number) => Math.round(performance.now() - start);

/** Face boxes of a scaled-down frame back in the video's pixels. */
function toVideoPixels(faces: FacePrediction[], scale: number): FacePrediction[] {
  if (scale === 1) return faces;
  return faces.map((face) => ({
    ...face,
    box: {
      x: face.box.x / scale,
      y: face.box.y / scale,
      width: face.box.width / scale,
      height: face.box.height / scale,
    },
  }));
}

function videoInfoRecord(info: VideoInfo) {
  return {
    width: info.width,
    height: info.height,
    durationSeconds: info.durationSeconds,
    fps: info.fps,
    codec: info.codec,
    format: info.format,
    bytes: info.bytes,
  };
}

export async function analyzeVideoJob(
  prisma: DbClient,
  analyzer: FrameAnalyzer,
  videoJobId: string,
  options: AnalyzeVideoOptions,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const taken = await startVideoJobAttempt(prisma, videoJobId);
  if (!taken) return "skipped"; // cancelled, done or failed meanwhile: nothing to do
  const { job, attempt } = taken;
  const upload = await readVideoUpload(prisma, videoJobId);
  if (!upload) {
    await failVideoJob(prisma, videoJobId, attempt, {
      code: "INTERNAL",
      message: "the uploaded video is no longer stored",
    });
    return "failed";
  }
  const file = path.join(os.tmpdir(), `moodlens-video-${videoJobId}-${randomBytes(4).toString("hex")}`);
  await writeFile(file, upload);
  try {
    return await runAttempt();
  } catch (error) {
    if (!isPermanentError(error)) throw error;
    await failVideoJob(prisma, videoJobId, attempt, { code: error.code, message: error.message });
    options.log?.(`job ${videoJobId} failed: ${error.code} ${error.message}`);
    return "failed";
  } finally {
    await rm(file, { force: true });
  }

  async function runAttempt(): Promise<AttemptOutcome> {
    const limits = {
      maxBytes: options.limits.maxBytes,
      maxDurationSeconds: options.limits.maxDurationSeconds,
    };
    const ffmpeg = options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {};
    const info = await probeVideo(file, {
      limits,
      ...ffmpeg,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (info.durationSeconds > limits.maxDurationSeconds) {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `the video lasts ${info.durationSeconds.toFixed(0)} s; the limit is ${limits.maxDurationSeconds} s`,
        {
          details: {
            reason: "too-long",
            durationSeconds: info.durationSeconds,
            maxDurationSeconds: limits.maxDurationSeconds,
          },
        },
      );
    }
    const framesTotal = estimateSampledFrames(info.durationSeconds, job.sampleFps);
    if (
      !(await setVideoJobProbe(prisma, videoJobId, attempt, {
        videoInfo: videoInfoRecord(info),
        framesTotal,
        modelVersion: analyzer.modelVersion,
      }))
    )
      return "lost";

    const checkpoint = taken!.checkpoint;
    const tracker = checkpoint
      ? restoreTracker(checkpoint.tracker as TrackerSnapshot)
      : createTracker({ keepSeries: true });
    let framesDone = checkpoint?.framesDone ?? 0;
    let sinceCheckpoint = 0;
    let decodeMs = 0;
    let analyzeMs = 0;
    let waitStart = performance.now();
    const frames = sampleFrames(file, {
      sampleFps: job.sampleFps,
      startFrame: framesDone,
      maxSide: options.maxSide,
      info,
      limits,
      ...ffmpeg,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const frame of frames) {
      decodeMs += performance.now() - waitStart;
      const analyzeStart = performance.now();
      const faces = toVideoPixels(await analyzer.analyzeFrame(frame), frame.scale);
      tracker.update(frame.seconds, faces);
      analyzeMs += performance.now() - analyzeStart;
      framesDone = frame.index + 1;
      if (++sinceCheckpoint >= options.batchFrames) {
        sinceCheckpoint = 0;
        // One transaction: progress + tracker state. False: cancelled or taken over; stop writing.
        if (
          !(await saveVideoCheckpoint(prisma, videoJobId, attempt, {
            framesDone,
            tracker: tracker.snapshot(),
          }))
        )
          return "lost";
      }
      waitStart = performance.now();
    }
    const tracks = tracker.finish();
    const seconds = trackSeconds(tracks);
    const timeline = timelineFromSeconds(seconds, info.durationSeconds);
    const firstStart = job.startedAt ?? new Date();
    const timings = {
      queuedMs: Math.max(0, firstStart.getTime() - job.createdAt.getTime()),
      // This attempt's decode and analysis; total spans every attempt (from the first start), retries included.
      decodeMs: Math.round(decodeMs),
      analyzeMs: Math.round(analyzeMs),
      totalMs: Math.max(since(started), Date.now() - firstStart.getTime()),
    };
    const finished = await finishVideoJob(prisma, videoJobId, attempt, {
      tracks: tracks.map((track) => ({ ...track, series: track.series })),
      timeline: timeline.map((s) => ({
        second: s.second,
        faces: s.faces,
        meanValence: s.meanValence,
        shares: s.shares,
      })),
      trackSeconds: seconds.map((s) => ({
        trackIndex: s.trackIndex,
        second: s.second,
        probabilities: s.probabilities,
        box: s.box,
        detectionScore: s.detectionScore,
      })),
      timings,
      modelVersion: analyzer.modelVersion,
      backend: analyzer.backend,
      width: info.width,
      height: info.height,
    });
    options.log?.(
      `job ${videoJobId} ${finished ? "done" : "lost"}: ${framesDone} frames, ${tracks.length} tracks, ${timings.totalMs} ms`,
    );
    return finished ? "done" : "lost";
  }
}
