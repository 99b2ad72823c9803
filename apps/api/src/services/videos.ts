/**
 * Video jobs at the API (issue 18): submit (POST /v1/videos), read and list (GraphQL videoJob/videoJobs), cancel.
 * The analysis itself runs in workers (apps/worker) fed by the pg-boss queue; the API only stores the upload and
 * sends the message. Views are the GraphQL VideoJob shape, also used as the REST route's JSON.
 */
import {
  cancelVideoJob as cancelStoredJob,
  countVideoJobs,
  getVideoJob as getStoredJob,
  listVideoJobs,
  type VideoJobRecord,
  type VideoJobRow,
  type VideoJobStatus as DbVideoJobStatus,
} from "@moodlens/db";
import { openJobQueue, queueDatabaseUrl, submitVideoJob, type JobQueue } from "@moodlens/jobs";
import { AppError, EMOTIONS, type Box, type Emotion, type ErrorCode } from "@moodlens/shared";
import type { ApiContext } from "../context";
import { GRAPHQL_CODES } from "../errors";
import type {
  FaceTrack,
  TimelineSecond,
  VideoJob,
  VideoJobConnection,
  VideoJobStatus,
} from "../generated/graphql";
import type { ApiRuntime } from "../runtime";

/** Default upload limit of POST /v1/videos (docs/video.md); workers also refuse longer than 30 minutes. */
export const DEFAULT_MAX_VIDEO_BYTES = 512 * 1024 * 1024;

export interface SubmitVideoRequest {
  bytes: Buffer;
  source?: string | null;
  campaign?: string | null;
  capturedAt?: Date | null;
  sampleFps?: number | null;
  clientRequestId?: string | null;
  fileName?: string | null;
  mimeType?: string | null;
  /** Operator setting: keep the upload after analysis. */
  storeVideo: boolean;
}

// ───────────── the queue: opened on first use, one per API instance ─────────────

const queues = new WeakMap<ApiRuntime, Promise<JobQueue>>();

/** The pg-boss connection: DATABASE_URL, the URL the API's database was opened with, or the served embedded folder. */
function queueUrl(runtime: ApiRuntime): string {
  const { config, db } = runtime;
  if (config.databaseUrl) return config.databaseUrl;
  if (db.kind === "postgres" && db.url && !db.url.includes("***")) return db.url;
  // config.dataDir is already the PGlite folder (see env.ts).
  return queueDatabaseUrl(undefined, config.dataDir);
}

function videoQueue(runtime: ApiRuntime): Promise<JobQueue> {
  let queue = queues.get(runtime);
  if (!queue) {
    queue = (async () =>
      openJobQueue({ connectionString: queueUrl(runtime), maxConnections: 2, supervise: false }))();
    queue.catch(() => queues.delete(runtime)); // retry on the next request
    queues.set(runtime, queue);
  }
  return queue;
}

/** Server shutdown: stops the queue client if one was opened. */
export async function closeVideoQueue(runtime: ApiRuntime): Promise<void> {
  const queue = queues.get(runtime);
  queues.delete(runtime);
  const opened = await queue?.catch(() => undefined);
  await opened?.close({ graceful: false, timeoutMs: 5_000 });
}

// ───────────── views ─────────────

const probabilitiesOf = (values: readonly number[]) =>
  EMOTIONS.map((emotion, i) => ({ emotion, probability: values[i] ?? 0 }));

interface StoredPoint {
  seconds: number;
  box: Box;
  probabilities: number[];
  rawProbabilities: number[];
  dominantEmotion: Emotion;
  valence: number;
}

function trackView(track: VideoJobRecord["tracks"][number]): FaceTrack {
  const series = (Array.isArray(track.series) ? track.series : []) as unknown as StoredPoint[];
  return {
    index: track.index,
    firstSeconds: track.firstSeconds,
    lastSeconds: track.lastSeconds,
    frames: track.frames,
    dominantEmotion: track.dominantEmotion,
    meanValence: track.meanValence,
    emotions: probabilitiesOf(track.probabilities),
    series: series.map((point) => ({
      seconds: point.seconds,
      box: point.box,
      emotions: probabilitiesOf(point.probabilities),
      rawEmotions: probabilitiesOf(point.rawProbabilities),
      dominantEmotion: point.dominantEmotion,
      valence: point.valence,
    })),
  };
}

const timelineView = (second: VideoJobRecord["timeline"][number]): TimelineSecond => ({
  second: second.second,
  faces: second.faces,
  meanValence: second.meanValence,
  emotions: probabilitiesOf(second.shares),
});

const STATUS: Record<DbVideoJobStatus, VideoJobStatus> = {
  queued: "QUEUED",
  running: "RUNNING",
  done: "DONE",
  failed: "FAILED",
  cancelled: "CANCELLED",
};

/** A job as GraphQL's VideoJob (and the REST route's `job`); tracks and timeline only when loaded. */
export function videoJobView(job: VideoJobRow | VideoJobRecord, deduplicated = false): VideoJob {
  const info = job.videoInfo as {
    width: number;
    height: number;
    durationSeconds: number;
    fps: number | null;
    codec: string | null;
    format: string | null;
    bytes: number;
  } | null;
  const timings = job.timings as Record<string, number>;
  const code = job.errorCode ? (GRAPHQL_CODES[job.errorCode as ErrorCode] ?? "INTERNAL") : null;
  return {
    id: job.id,
    status: STATUS[job.status],
    source: job.source,
    campaign: job.campaign,
    capturedAt: job.capturedAt,
    sampleFps: job.sampleFps,
    clientRequestId: job.clientRequestId,
    fileName: job.fileName,
    video: info ? { ...info, bytes: info.bytes ?? job.bytes } : null,
    framesDone: job.framesDone,
    framesTotal: job.framesTotal,
    progress: job.framesTotal ? Math.min(1, job.framesDone / job.framesTotal) : job.status === "done" ? 1 : 0,
    attempts: job.attempts,
    error: code ? { code, message: job.errorMessage ?? "" } : null,
    timings: Object.keys(timings ?? {}).length
      ? {
          queuedMs: timings.queuedMs ?? null,
          decodeMs: timings.decodeMs ?? null,
          analyzeMs: timings.analyzeMs ?? null,
          totalMs: timings.totalMs ?? null,
        }
      : null,
    modelVersion: job.modelVersion,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    deduplicated,
    videoStored: job.storeVideo,
    tracks: "tracks" in job ? job.tracks.map(trackView) : [],
    timeline: "timeline" in job ? job.timeline.map(timelineView) : [],
  };
}

// ───────────── operations ─────────────

/** The API key a job is stored under; the local developer and dashboard users have none (as for analyses). */
const apiKeyIdOf = (context: ApiContext): string | null =>
  context.viewer && context.viewer.keyId !== "local" && !("userId" in context.viewer && context.viewer.userId)
    ? context.viewer.keyId
    : null;
const userScopeOf = (context: ApiContext): string | null =>
  context.viewer && "userId" in context.viewer && context.viewer.userId
    ? `user:${String(context.viewer.userId)}`
    : null;

export async function submitVideo(context: ApiContext, request: SubmitVideoRequest): Promise<VideoJob> {
  if (request.bytes.byteLength === 0)
    throw new AppError("BAD_USER_INPUT", "the request body is empty", {
      hint: "send the video file as the body",
    });
  if (request.capturedAt && request.capturedAt.getTime() > Date.now() + 24 * 3_600_000) {
    throw new AppError("BAD_USER_INPUT", "capturedAt lies more than a day in the future", {
      details: { field: "capturedAt" },
    });
  }
  const queue = await videoQueue(context.runtime);
  const { job, deduplicated } = await submitVideoJob(context.runtime.db.prisma, queue, {
    apiKeyId: apiKeyIdOf(context),
    idempotencyScope: userScopeOf(context),
    clientRequestId: request.clientRequestId ?? null,
    source: request.source ?? null,
    campaign: request.campaign ?? null,
    capturedAt: request.capturedAt ?? null,
    sampleFps: request.sampleFps ?? null,
    fileName: request.fileName ?? null,
    mimeType: request.mimeType ?? null,
    bytes: request.bytes,
    storeVideo: request.storeVideo,
  });
  return videoJobView(job, deduplicated);
}

export async function getVideoJob(context: ApiContext, id: string): Promise<VideoJob | null> {
  const job = await getStoredJob(context.runtime.db.prisma, id);
  return job ? videoJobView(job) : null;
}

export async function listVideoJobsView(
  context: ApiContext,
  args: { first?: number | null; after?: string | null; status?: VideoJobStatus | null },
): Promise<VideoJobConnection> {
  const status = args.status ? (args.status.toLowerCase() as DbVideoJobStatus) : undefined;
  const filter = status ? { status } : {};
  const prisma = context.runtime.db.prisma;
  const [page, totalCount] = await Promise.all([
    listVideoJobs(prisma, filter, {
      ...(args.first ? { first: args.first } : {}),
      after: args.after ?? null,
    }),
    countVideoJobs(prisma, filter),
  ]);
  // The page's results in one read per job: a page is at most 100 jobs and results are small per job.
  const nodes = await Promise.all(
    page.items.map(async (item) => videoJobView((await getStoredJob(prisma, item.id)) ?? item)),
  );
  return {
    edges: nodes.map((node, i) => ({
      cursor:
        i === nodes.length - 1 && page.endCursor
          ? page.endCursor
          : Buffer.from(`${new Date(node.createdAt).toISOString()}|${node.id}`).toString("base64url"),
      node,
    })),
    nodes,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    totalCount,
  };
}

/** Cancels in the database (the worker stops at its next batch) and takes a queued message out of the queue. */
export async function cancelVideoJob(context: ApiContext, id: string): Promise<VideoJob> {
  const job = await cancelStoredJob(context.runtime.db.prisma, id);
  if (!job) throw new AppError("NOT_FOUND", `no video job ${id}`);
  const queue = await videoQueue(context.runtime).catch(() => undefined);
  await queue?.cancelVideoJob(id);
  return videoJobView(job);
}
