/**
 * Every environment variable the worker reads, in one place (docs/video.md lists the same). Parsed once at start.
 */
import { DEFAULT_QUEUE_SETTINGS, type QueueSettings } from "@moodlens/jobs";
import { parseEnv } from "@moodlens/shared";
import { z } from "zod";

const integer = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== "" ? value.trim() : undefined));

export const workerEnvSchema = z.object({
  DATABASE_URL: optionalText,
  MOODLENS_DATA_DIR: optionalText,
  MOODLENS_MODEL_DIR: optionalText,
  MOODLENS_BACKEND: optionalText,
  /** Path to an ffmpeg binary (e.g. a system one); unset: the static build @ffmpeg-installer/ffmpeg ships. */
  MOODLENS_FFMPEG: optionalText,
  /** Jobs this process runs at once (each decodes with its own ffmpeg; the analyzer is shared). */
  MOODLENS_WORKER_CONCURRENCY: integer(1, 1),
  /** Frames per checkpoint: progress, cancellation and resume points come every this many frames. */
  MOODLENS_VIDEO_BATCH_FRAMES: integer(8, 1),
  /** Frames are scaled down to this longer side before detection. */
  MOODLENS_VIDEO_MAX_SIDE: integer(1280, 64),
  MOODLENS_VIDEO_MAX_BYTES: integer(512 * 1024 * 1024, 1024),
  MOODLENS_VIDEO_MAX_SECONDS: integer(30 * 60, 1),
  MOODLENS_JOB_RETRY_LIMIT: integer(DEFAULT_QUEUE_SETTINGS.retryLimit, 0),
  MOODLENS_JOB_RETRY_DELAY_SECONDS: integer(DEFAULT_QUEUE_SETTINGS.retryDelaySeconds, 0),
  MOODLENS_JOB_HEARTBEAT_SECONDS: integer(DEFAULT_QUEUE_SETTINGS.heartbeatSeconds, 10),
  MOODLENS_JOB_SUPERVISE_SECONDS: integer(DEFAULT_QUEUE_SETTINGS.superviseIntervalSeconds, 1),
  MOODLENS_JOB_POLL_SECONDS: z.coerce.number().min(0.5).default(1),
  /** Any non-empty value: the worker and its CLI print the stack of an internal error. */
  MOODLENS_DEBUG: z.string().optional(),
});

/**
 * MOODLENS_DEBUG alone, for runCli: read before the rest of the configuration is parsed, and never fails, so an
 * invalid variable still ends as runCli's one-line error.
 */
export const cliDebug = (env: NodeJS.ProcessEnv = process.env): boolean =>
  Boolean(parseEnv(workerEnvSchema.pick({ MOODLENS_DEBUG: true }), env).MOODLENS_DEBUG);

export interface WorkerConfig {
  databaseUrl: string | undefined;
  dataDir: string | undefined;
  modelDir: string | undefined;
  backend: string | undefined;
  /** MOODLENS_FFMPEG (unset: the bundled ffmpeg). */
  ffmpegPath?: string | undefined;
  concurrency: number;
  batchFrames: number;
  maxSide: number;
  limits: { maxBytes: number; maxDurationSeconds: number };
  queue: Partial<QueueSettings>;
  pollSeconds: number;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = parseEnv(workerEnvSchema, env);
  return {
    databaseUrl: parsed.DATABASE_URL,
    dataDir: parsed.MOODLENS_DATA_DIR,
    modelDir: parsed.MOODLENS_MODEL_DIR,
    backend: parsed.MOODLENS_BACKEND,
    ffmpegPath: parsed.MOODLENS_FFMPEG,
    concurrency: parsed.MOODLENS_WORKER_CONCURRENCY,
    batchFrames: parsed.MOODLENS_VIDEO_BATCH_FRAMES,
    maxSide: parsed.MOODLENS_VIDEO_MAX_SIDE,
    limits: {
      maxBytes: parsed.MOODLENS_VIDEO_MAX_BYTES,
      maxDurationSeconds: parsed.MOODLENS_VIDEO_MAX_SECONDS,
    },
    queue: {
      retryLimit: parsed.MOODLENS_JOB_RETRY_LIMIT,
      retryDelaySeconds: parsed.MOODLENS_JOB_RETRY_DELAY_SECONDS,
      heartbeatSeconds: parsed.MOODLENS_JOB_HEARTBEAT_SECONDS,
      superviseIntervalSeconds: parsed.MOODLENS_JOB_SUPERVISE_SECONDS,
    },
    pollSeconds: parsed.MOODLENS_JOB_POLL_SECONDS,
  };
}
