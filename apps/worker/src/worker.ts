/**
 * A video worker: loads the analyzer once, takes jobs from the pg-boss queue (MOODLENS_WORKER_CONCURRENCY at a
 * time), handles the dead-letter queue (jobs that used up their retries are marked failed), and drains on stop:
 * running jobs finish their current attempt (or are retried elsewhere after the heartbeat lapses).
 */
import { createDb, defaultPgliteDir, failVideoJob, getActiveModelVersion, type Db } from "@moodlens/db";
import {
  VIDEO_DEAD_LETTER_QUEUE,
  VIDEO_QUEUE,
  openJobQueue,
  queueDatabaseUrl,
  sweepUnqueuedJobs,
  type JobQueue,
  type VideoJobMessage,
} from "@moodlens/jobs";
import {
  createFaceAnalyzer,
  describeEngines,
  readModelMetadata,
  type BackendPreference,
  type DecodedImage,
  type FaceAnalyzer,
} from "@moodlens/model";
import { resolveServedModel, servedVersionName } from "@moodlens/model/served-model";
import { analyzeVideoJob, type FrameAnalyzer } from "./analyze-video";
import type { WorkerConfig } from "./env";

export interface RunningWorker {
  db: Db;
  queue: JobQueue;
  /** Stops taking jobs, waits for the running ones (up to timeoutMs), closes everything. */
  stop(timeoutMs?: number): Promise<void>;
}

async function loadFrameAnalyzer(
  db: Db,
  config: WorkerConfig,
  log: (line: string) => void,
): Promise<{ frames: FrameAnalyzer; analyzer: FaceAnalyzer }> {
  const served = await resolveServedModel({
    activeVersion: () => getActiveModelVersion(db.prisma),
    configured: config.modelDir ? { dir: config.modelDir, why: "MOODLENS_MODEL_DIR" } : undefined,
  });
  const analyzer = await createFaceAnalyzer({
    modelDir: served.path,
    ...(config.backend ? { backend: config.backend as BackendPreference } : {}),
    logger: log,
  });
  const modelVersion =
    served.registryVersion ??
    servedVersionName(undefined, (await readModelMetadata(served.path)).weightsSha256);
  log(`model ${modelVersion} (${served.why})`);
  return {
    analyzer,
    frames: {
      modelVersion,
      backend: describeEngines(analyzer.info.model),
      // RawImage (format "raw") is DecodedImage's layout; ImageFormat does not list "raw" (yet), hence the cast.
      analyzeFrame: async (frame) =>
        (await analyzer.analyzeDecoded(frame.image as unknown as DecodedImage)).faces,
    },
  };
}

export async function startWorker(
  config: WorkerConfig,
  log: (line: string) => void = (line) => console.log(`[worker] ${line}`),
): Promise<RunningWorker> {
  const dataDir = defaultPgliteDir(config.dataDir);
  const url = queueDatabaseUrl(config.databaseUrl, dataDir);
  const db = await createDb({ url, poolSize: config.concurrency + 2 });
  let queue: JobQueue | undefined;
  let analyzer: FaceAnalyzer | undefined;
  try {
    const loaded = await loadFrameAnalyzer(db, config, log);
    analyzer = loaded.analyzer;
    queue = await openJobQueue({ connectionString: url, supervise: true, settings: config.queue });
    const frames = loaded.frames;
    const options = {
      batchFrames: config.batchFrames,
      maxSide: config.maxSide,
      ffmpegPath: config.ffmpegPath,
      limits: config.limits,
      log,
    };
    await queue.boss.work<VideoJobMessage>(
      VIDEO_QUEUE,
      { localConcurrency: config.concurrency, pollingIntervalSeconds: config.pollSeconds },
      async ([job]) => {
        if (!job) return;
        log(`job ${job.data.videoJobId} taken (retry ${job.retryCount})`);
        await analyzeVideoJob(db.prisma, frames, job.data.videoJobId, { ...options, signal: job.signal });
      },
    );
    await queue.boss.work<VideoJobMessage>(
      VIDEO_DEAD_LETTER_QUEUE,
      { pollingIntervalSeconds: Math.max(config.pollSeconds, 2) },
      async ([job]) => {
        if (!job) return;
        const failed = await failVideoJob(db.prisma, job.data.videoJobId, null, {
          code: "INTERNAL",
          message: `the analysis failed ${(config.queue.retryLimit ?? 0) + 1} times (worker crashes or the database away); gave up`,
        });
        if (failed) log(`job ${job.data.videoJobId} failed for good (dead letter)`);
      },
    );
    const swept = await sweepUnqueuedJobs(db.prisma, queue);
    log(
      `ready: queue ${VIDEO_QUEUE}, concurrency ${config.concurrency}${swept ? `, ${swept} open job(s) re-sent` : ""}`,
    );
  } catch (error) {
    await queue?.close({ graceful: false }).catch(() => {});
    await analyzer?.dispose().catch(() => {});
    await db.close();
    throw error;
  }
  const running = queue;
  let stopped: Promise<void> | undefined;
  return {
    db,
    queue: running,
    stop: (timeoutMs = 30_000) =>
      (stopped ??= (async () => {
        await running.close({ graceful: true, timeoutMs });
        await analyzer?.dispose().catch(() => {});
        await db.close();
      })()),
  };
}
