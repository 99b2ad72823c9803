/**
 * The video queue on pg-boss (schema `pgboss` in the product's own PostgreSQL, or in the embedded PGlite that
 * `npm start` serves): retries with exponential backoff, a heartbeat so a killed worker's job is retried within
 * seconds, an expiry for a job that hangs, and a dead-letter queue for jobs that exhausted their retries.
 *
 * The pg-boss job id IS the video job id: sending twice (a replayed upload, the worker's start-up sweep) creates
 * one queue entry.
 */
import { readFileSync } from "node:fs";
import { AppError } from "@moodlens/shared";
import { defaultPgliteDir, embeddedServerFile } from "@moodlens/db";
import { PgBoss } from "pg-boss";

export const VIDEO_QUEUE = "video-analysis";
export const VIDEO_DEAD_LETTER_QUEUE = "video-analysis-dead";

export interface VideoJobMessage {
  videoJobId: string;
}

export interface QueueSettings {
  /** Attempts after the first before the job goes to the dead-letter queue. */
  retryLimit: number;
  /** First retry delay in seconds; doubles per retry (with jitter) up to retryDelayMaxSeconds. */
  retryDelaySeconds: number;
  retryDelayMaxSeconds: number;
  /** A running job without a heartbeat for this long is failed and retried (>= 10: pg-boss's minimum). */
  heartbeatSeconds: number;
  /** Longest a single attempt may run. */
  expireInSeconds: number;
  /** How often pg-boss's supervisor looks for dead heartbeats and expired jobs. */
  superviseIntervalSeconds: number;
}

export const DEFAULT_QUEUE_SETTINGS: Readonly<QueueSettings> = Object.freeze({
  retryLimit: 4,
  retryDelaySeconds: 5,
  retryDelayMaxSeconds: 300,
  heartbeatSeconds: 30,
  expireInSeconds: 3600,
  superviseIntervalSeconds: 15,
});

export interface JobQueue {
  readonly boss: PgBoss;
  readonly settings: Readonly<QueueSettings>;
  /** Queues the analysis of a stored video job (idempotent: the pg-boss id is the video job id). */
  sendVideoJob(videoJobId: string): Promise<void>;
  /** Takes a queued job out of the queue; a running one stops at its next batch (the row says cancelled). */
  cancelVideoJob(videoJobId: string): Promise<void>;
  close(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
}

export interface OpenJobQueueOptions {
  /** PostgreSQL URL; default: DATABASE_URL or the embedded server `npm start` advertises (see queueDatabaseUrl). */
  connectionString: string;
  /** Connections of pg-boss's own pool (small: the embedded server queues every client on one session). */
  maxConnections?: number;
  settings?: Partial<QueueSettings>;
  /** Run pg-boss's maintenance and supervision in this process (workers: yes; the API: no). */
  supervise?: boolean;
}

/**
 * The PostgreSQL URL pg-boss connects to: the given DATABASE_URL, else the embedded server that `npm start` serves
 * for the data folder. pg-boss needs a server: an embedded folder opened in-process allows one process only.
 */
export function queueDatabaseUrl(
  databaseUrl: string | undefined,
  dataDir: string = defaultPgliteDir(),
): string {
  if (databaseUrl?.trim()) return databaseUrl.trim();
  try {
    const { url } = JSON.parse(readFileSync(embeddedServerFile(dataDir), "utf8")) as { url: string };
    if (url) return url;
  } catch {
    // fall through to the error below
  }
  throw new AppError(
    "DATABASE_UNAVAILABLE",
    `no DATABASE_URL and no embedded database server for ${dataDir}`,
    {
      hint: "run `npm start` (it serves the embedded database) or set DATABASE_URL",
    },
  );
}

/** Creates the queues when missing; `update`: also applies these settings to an existing queue (workers do). */
async function ensureQueues(boss: PgBoss, settings: QueueSettings, update: boolean): Promise<void> {
  const existing = new Set(
    (await boss.getQueues([VIDEO_QUEUE, VIDEO_DEAD_LETTER_QUEUE])).map((queue) => queue.name),
  );
  if (!existing.has(VIDEO_DEAD_LETTER_QUEUE)) {
    await boss.createQueue(VIDEO_DEAD_LETTER_QUEUE, { retryLimit: 2, retryDelay: 5, retryBackoff: true });
  }
  const options = {
    retryLimit: settings.retryLimit,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: settings.retryDelayMaxSeconds,
    heartbeatSeconds: settings.heartbeatSeconds,
    expireInSeconds: settings.expireInSeconds,
    deadLetter: VIDEO_DEAD_LETTER_QUEUE,
  };
  if (!existing.has(VIDEO_QUEUE)) await boss.createQueue(VIDEO_QUEUE, options);
  else if (update) await boss.updateQueue(VIDEO_QUEUE, options);
}

const toUnavailable = (error: unknown): AppError =>
  error instanceof AppError
    ? error
    : new AppError("DATABASE_UNAVAILABLE", `job queue: ${(error as Error).message}`, {
        hint: "check that the database is running",
        cause: error,
      });

export async function openJobQueue(options: OpenJobQueueOptions): Promise<JobQueue> {
  const settings: QueueSettings = { ...DEFAULT_QUEUE_SETTINGS, ...options.settings };
  const supervise = options.supervise ?? false;
  const boss = new PgBoss({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 3,
    application_name: "moodlens-jobs",
    schedule: false,
    supervise,
    superviseIntervalSeconds: settings.superviseIntervalSeconds,
    monitorIntervalSeconds: settings.superviseIntervalSeconds,
  });
  // pg-boss reports background failures (a lost connection while polling) as events; they must not crash the
  // process: polling resumes when the database is back.
  boss.on("error", (error: Error) => console.warn(`[jobs] ${error.message}`));
  try {
    await boss.start();
    // Senders (the API, the CLI) leave an existing queue's retry settings alone: the workers' configuration rules.
    await ensureQueues(boss, settings, supervise);
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw toUnavailable(error);
  }
  return {
    boss,
    settings,
    async sendVideoJob(videoJobId) {
      await boss.send(VIDEO_QUEUE, { videoJobId } satisfies VideoJobMessage, { id: videoJobId });
    },
    async cancelVideoJob(videoJobId) {
      await boss.cancel(VIDEO_QUEUE, videoJobId).catch(() => {});
    },
    close: ({ graceful = true, timeoutMs = 30_000 } = {}) => boss.stop({ graceful, timeout: timeoutMs }),
  };
}
