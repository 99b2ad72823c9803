/**
 * Video jobs (issue 18): the row a client polls, the upload (1 MiB bytea chunks, so a worker on another machine can
 * read it), the per-batch checkpoint a resumed worker starts from, and the results.
 *
 * Exactly once: a worker that takes a job increments `attempts` and passes that value (its fence) to every later
 * write; a checkpoint or finish from a worker whose job was meanwhile handed to another (expired, SIGKILLed and
 * retried) matches no row and is refused. Finishing writes tracks, timeline and the statistics contribution (a VIDEO
 * analysis whose faces are track-seconds, plus the hourly rollups) in ONE transaction with the status change.
 */
import {
  EMOTIONS,
  dominantEmotion as argmaxEmotion,
  valenceOf,
  type Box,
  type Emotion,
} from "@moodlens/shared";
import {
  Prisma,
  type VideoJob,
  type VideoJobStatus,
  type VideoTimelineSecond,
  type VideoTrack,
} from "./generated/prisma/client";
import { isUniqueViolation } from "./errors";
import { ANONYMOUS_SCOPE, DEFAULT_CAMPAIGN, DEFAULT_SOURCE } from "./analyses";
import type { DbClient, Page, PageArgs } from "./types";
import { assertDate, badInput, decodeCursor, encodeCursor, isUuid, label, pageSize } from "./validate";

export const VIDEO_CHUNK_BYTES = 1 << 20;
export const DEFAULT_SAMPLE_FPS = 2;
export const MAX_SAMPLE_FPS = 30;
const TERMINAL: VideoJobStatus[] = ["done", "failed", "cancelled"];

export interface CreateVideoJobInput {
  apiKeyId?: string | null;
  idempotencyScope?: string | null;
  clientRequestId?: string | null;
  source?: string | null;
  campaign?: string | null;
  capturedAt?: Date | null;
  sampleFps?: number | null;
  fileName?: string | null;
  mimeType?: string | null;
  bytes: Uint8Array;
  /** Keep the upload after the job ends (operator setting MOODLENS_STORE_VIDEOS). */
  storeVideo?: boolean;
}

export interface VideoInfoRecord {
  width: number;
  height: number;
  durationSeconds: number;
  fps: number | null;
  codec: string | null;
  format: string | null;
  bytes: number;
}

export type VideoJobRow = VideoJob;
export type VideoJobRecord = VideoJob & { tracks: VideoTrack[]; timeline: VideoTimelineSecond[] };

export interface VideoTrackInput {
  index: number;
  firstSeconds: number;
  lastSeconds: number;
  frames: number;
  /** Mean smoothed probabilities, EMOTIONS order. */
  probabilities: readonly number[];
  meanValence: number;
  dominantEmotion: Emotion;
  series: unknown;
}

export interface TimelineSecondInput {
  second: number;
  faces: number;
  meanValence: number | null;
  shares: readonly number[];
}

/** One track visible in one whole second of video: the unit the statistics count (see docs/video.md). */
export interface TrackSecondInput {
  trackIndex: number;
  second: number;
  /** Mean smoothed probabilities of the track's frames in that second, EMOTIONS order. */
  probabilities: readonly number[];
  box: Box;
  detectionScore: number;
}

export interface FinishVideoJobInput {
  tracks: readonly VideoTrackInput[];
  timeline: readonly TimelineSecondInput[];
  trackSeconds: readonly TrackSecondInput[];
  timings: Record<string, number>;
  modelVersion: string;
  backend: string;
  width: number;
  height: number;
}

const RESULTS = { tracks: { orderBy: { index: "asc" } }, timeline: { orderBy: { second: "asc" } } } as const;

function checkSampleFps(value: number | null | undefined): number {
  const fps = value ?? DEFAULT_SAMPLE_FPS;
  if (!Number.isFinite(fps) || fps <= 0 || fps > MAX_SAMPLE_FPS)
    throw badInput(`sampleFps must be a number in (0, ${MAX_SAMPLE_FPS}]`, { sampleFps: value });
  return fps;
}

/** Stores the upload and the job row (status queued) in one transaction; a repeated clientRequestId returns the first job. */
export async function createVideoJob(
  prisma: DbClient,
  input: CreateVideoJobInput,
): Promise<{ job: VideoJobRow; deduplicated: boolean }> {
  const scope = input.apiKeyId ?? input.idempotencyScope ?? ANONYMOUS_SCOPE;
  const clientRequestId = input.clientRequestId?.trim() || null;
  if (clientRequestId && clientRequestId.length > 128)
    throw badInput("clientRequestId must be at most 128 characters");
  const earlier = clientRequestId ? { idempotencyScope: scope, clientRequestId } : null;
  if (earlier) {
    const job = await prisma.videoJob.findFirst({ where: earlier });
    if (job) return { job, deduplicated: true };
  }
  if (input.bytes.byteLength === 0) throw badInput("the video is empty");
  const data = {
    apiKeyId: input.apiKeyId ?? null,
    idempotencyScope: scope,
    clientRequestId,
    source: label(input.source, "source", DEFAULT_SOURCE),
    campaign: label(input.campaign, "campaign", DEFAULT_CAMPAIGN),
    capturedAt: assertDate(input.capturedAt ?? new Date(), "capturedAt"),
    sampleFps: checkSampleFps(input.sampleFps),
    fileName: input.fileName?.slice(0, 255) ?? null,
    mimeType: input.mimeType ?? null,
    bytes: input.bytes.byteLength,
    storeVideo: input.storeVideo ?? false,
  };
  const chunks: { index: number; data: Uint8Array<ArrayBuffer> }[] = [];
  for (let offset = 0, index = 0; offset < input.bytes.byteLength; offset += VIDEO_CHUNK_BYTES, index++) {
    chunks.push({ index, data: Uint8Array.from(input.bytes.subarray(offset, offset + VIDEO_CHUNK_BYTES)) });
  }
  try {
    const job = await prisma.$transaction(async (tx) => {
      const created = await tx.videoJob.create({ data });
      // One chunk per statement keeps each bind message small (PGlite's socket server has a message limit).
      for (const chunk of chunks) await tx.videoUploadChunk.create({ data: { jobId: created.id, ...chunk } });
      return created;
    });
    return { job, deduplicated: false };
  } catch (error) {
    if (earlier && isUniqueViolation(error)) {
      const job = await prisma.videoJob.findFirst({ where: earlier });
      if (job) return { job, deduplicated: true };
    }
    throw error;
  }
}

export async function getVideoJob(prisma: DbClient, id: string): Promise<VideoJobRecord | null> {
  if (!isUuid(id)) return null;
  return prisma.videoJob.findUnique({ where: { id }, include: RESULTS });
}

/** The uploaded file, or null once it was deleted (job ended without video storage). */
export async function readVideoUpload(prisma: DbClient, id: string): Promise<Buffer | null> {
  if (!isUuid(id)) return null;
  const chunks = await prisma.videoUploadChunk.findMany({ where: { jobId: id }, orderBy: { index: "asc" } });
  return chunks.length ? Buffer.concat(chunks.map((chunk) => chunk.data)) : null;
}

export interface VideoJobFilter {
  status?: VideoJobStatus;
  /** Only this caller's jobs (an idempotency scope); unset: all. */
  idempotencyScope?: string;
}

/** Newest first, keyset cursors (createdAt, id). */
export async function listVideoJobs(
  prisma: DbClient,
  filter: VideoJobFilter,
  args: PageArgs = {},
): Promise<Page<VideoJobRow>> {
  const take = pageSize(args.first);
  const where: Prisma.VideoJobWhereInput = {};
  if (filter.status) where.status = filter.status;
  if (filter.idempotencyScope) where.idempotencyScope = filter.idempotencyScope;
  const and: Prisma.VideoJobWhereInput[] = [where];
  if (args.after) {
    const [createdAt, id] = decodeCursor(args.after, 2) as [string, string];
    const at = new Date(createdAt);
    if (Number.isNaN(at.getTime()) || !isUuid(id)) throw badInput("invalid cursor");
    and.push({ OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: id } }] });
  }
  const rows = await prisma.videoJob.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: take + 1,
  });
  const items = rows.slice(0, take);
  const last = items.at(-1);
  return {
    items,
    endCursor: last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    hasNextPage: rows.length > take,
  };
}

export async function countVideoJobs(prisma: DbClient, filter: VideoJobFilter): Promise<number> {
  return prisma.videoJob.count({
    where: {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.idempotencyScope ? { idempotencyScope: filter.idempotencyScope } : {}),
    },
  });
}

export interface VideoJobAttempt {
  job: VideoJobRow;
  /** This worker's fence: pass it to every later write. */
  attempt: number;
  /** Where to resume: frames done and the tracker state after them (null: from the start). */
  checkpoint: { framesDone: number; tracker: unknown } | null;
}

/**
 * A worker takes the job: queued or running (a dead worker's) -> running, attempts + 1. Null when the job ended
 * (cancelled, done, failed) or is unknown: the queue message is then simply completed.
 */
export async function startVideoJobAttempt(
  prisma: DbClient,
  id: string,
  now = new Date(),
): Promise<VideoJobAttempt | null> {
  if (!isUuid(id)) return null;
  return prisma.$transaction(async (tx) => {
    const taken = await tx.$queryRaw<{ attempts: number }[]>`
      UPDATE video_job SET status = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, ${now}), updated_at = ${now}
      WHERE id = ${id}::uuid AND status IN ('queued', 'running') RETURNING attempts`;
    const first = taken[0];
    if (!first) return null;
    const job = await tx.videoJob.findUniqueOrThrow({ where: { id } });
    const checkpoint = await tx.videoCheckpoint.findUnique({ where: { jobId: id } });
    return {
      job,
      attempt: first.attempts,
      checkpoint: checkpoint ? { framesDone: checkpoint.framesDone, tracker: checkpoint.tracker } : null,
    };
  });
}

const fenced = (id: string, attempt: number): Prisma.VideoJobWhereInput => ({
  id,
  attempts: attempt,
  status: "running",
});

/** Records the probe (video info, frames to analyse, model). False when this worker lost the job. */
export async function setVideoJobProbe(
  prisma: DbClient,
  id: string,
  attempt: number,
  probe: { videoInfo: VideoInfoRecord; framesTotal: number; modelVersion: string },
): Promise<boolean> {
  const { count } = await prisma.videoJob.updateMany({
    where: fenced(id, attempt),
    data: {
      videoInfo: probe.videoInfo as unknown as Prisma.InputJsonValue,
      framesTotal: probe.framesTotal,
      modelVersion: probe.modelVersion,
    },
  });
  return count === 1;
}

/**
 * After a batch of frames: progress and tracker state in one transaction, only while this worker holds the job and
 * only forward. False when the job was cancelled or handed to another worker: stop without writing more.
 */
export async function saveVideoCheckpoint(
  prisma: DbClient,
  id: string,
  attempt: number,
  state: { framesDone: number; tracker: unknown },
): Promise<boolean> {
  const tracker = state.tracker as Prisma.InputJsonValue;
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.videoJob.updateMany({
      where: { ...fenced(id, attempt), framesDone: { lte: state.framesDone } },
      data: { framesDone: state.framesDone },
    });
    if (count !== 1) return false;
    await tx.videoCheckpoint.upsert({
      where: { jobId: id },
      create: { jobId: id, framesDone: state.framesDone, tracker },
      update: { framesDone: state.framesDone, tracker },
    });
    return true;
  });
}

/** Whether the job is still this worker's to run (not cancelled, not taken over). */
export async function holdsVideoJob(prisma: DbClient, id: string, attempt: number): Promise<boolean> {
  return (await prisma.videoJob.count({ where: fenced(id, attempt) })) === 1;
}

async function dropWorkingData(
  tx: Prisma.TransactionClient,
  job: { id: string; storeVideo: boolean },
): Promise<void> {
  await tx.videoCheckpoint.deleteMany({ where: { jobId: job.id } });
  if (!job.storeVideo) await tx.videoUploadChunk.deleteMany({ where: { jobId: job.id } });
}

const hourStart = (date: Date): Date => new Date(Math.floor(date.getTime() / 3_600_000) * 3_600_000);

export function checkProbabilities(values: readonly number[], what: string): void {
  if (values.length !== EMOTIONS.length || values.some((p) => !Number.isFinite(p) || p < 0 || p > 1)) {
    throw badInput(`${what} must be ${EMOTIONS.length} numbers in 0..1 (EMOTIONS order)`);
  }
}

/** What one stored batch of track-seconds (a finished video, a flush of a recorded live stream) is filed under. */
export interface TrackSecondsAnalysisInput {
  kind: "VIDEO" | "LIVE";
  apiKeyId: string | null;
  idempotencyScope: string;
  /** Set for live flushes: the unique (scope, clientRequestId) makes a replayed flush count once. */
  clientRequestId?: string | null;
  source: string;
  campaign: string;
  /** Time of second 0: track-second s is captured at capturedAt + s. */
  capturedAt: Date;
  modelVersion: string;
  backend: string;
  width: number;
  height: number;
  timings: Record<string, number>;
  trackSeconds: readonly TrackSecondInput[];
}

/**
 * Inside the caller's transaction: one analysis of `kind` whose faces are the track-seconds, and their hourly
 * rollups. Shared by video jobs and live recording so both count by the same rule (docs/video.md).
 */
export async function writeTrackSecondsAnalysis(
  tx: Prisma.TransactionClient,
  input: TrackSecondsAnalysisInput,
): Promise<{ id: string }> {
  const { kind, source, campaign } = input;
  const faces = input.trackSeconds.map((ts, index) => {
    const capturedAt = new Date(input.capturedAt.getTime() + ts.second * 1000);
    return {
      index,
      boxX: ts.box.x,
      boxY: ts.box.y,
      boxWidth: ts.box.width,
      boxHeight: ts.box.height,
      detectionScore: ts.detectionScore,
      probabilities: [...ts.probabilities],
      dominantEmotion: argmaxEmotion(ts.probabilities),
      valence: valenceOf(ts.probabilities),
      capturedAt,
      source,
      campaign,
      isDemo: false,
      kind,
    };
  });
  const analysis = await tx.analysis.create({
    data: {
      apiKeyId: input.apiKeyId,
      idempotencyScope: input.idempotencyScope,
      clientRequestId: input.clientRequestId ?? null,
      source,
      campaign,
      capturedAt: input.capturedAt,
      modelVersion: input.modelVersion,
      backend: input.backend,
      imageWidth: Math.max(1, input.width),
      imageHeight: Math.max(1, input.height),
      faceCount: faces.length,
      timings: input.timings,
      kind,
      faces: { createMany: { data: faces } },
    },
    select: { id: true },
  });
  const rollups = new Map<string, { hour: string; emotion: Emotion; faces: number; valenceSum: number }>();
  for (const face of faces) {
    const hour = hourStart(face.capturedAt).toISOString();
    const key = `${hour}|${face.dominantEmotion}`;
    const row = rollups.get(key) ?? { hour, emotion: face.dominantEmotion, faces: 0, valenceSum: 0 };
    row.faces += 1;
    row.valenceSum += face.valence;
    rollups.set(key, row);
  }
  if (rollups.size > 0) {
    const rows = [...rollups.values()].map(
      (r) =>
        Prisma.sql`(${r.hour}::timestamptz, ${source}, ${campaign}, ${r.emotion}::"Emotion", false, ${kind}::"AnalysisKind", ${r.faces}, ${r.valenceSum}::float8)`,
    );
    await tx.$executeRaw`
      INSERT INTO hourly_emotion_rollup (hour_start, source, campaign, emotion, is_demo, kind, faces, valence_sum)
      VALUES ${Prisma.join(rows)}
      ON CONFLICT (hour_start, source, campaign, emotion, is_demo, kind) DO UPDATE
      SET faces = hourly_emotion_rollup.faces + EXCLUDED.faces,
          valence_sum = hourly_emotion_rollup.valence_sum + EXCLUDED.valence_sum`;
  }
  return analysis;
}

/**
 * Done, exactly once: tracks, timeline, one VIDEO analysis whose faces are the track-seconds (capturedAt = the
 * job's capturedAt + second) and their hourly rollups, the status, and the deletion of the upload (unless kept) in
 * ONE transaction. False (nothing written) when this worker no longer holds the job.
 */
export async function finishVideoJob(
  prisma: DbClient,
  id: string,
  attempt: number,
  result: FinishVideoJobInput,
  now = new Date(),
): Promise<boolean> {
  result.tracks.forEach((track, i) => checkProbabilities(track.probabilities, `tracks[${i}].probabilities`));
  result.trackSeconds.forEach((ts, i) =>
    checkProbabilities(ts.probabilities, `trackSeconds[${i}].probabilities`),
  );
  return prisma.$transaction(async (tx) => {
    const job = await tx.videoJob.findFirst({ where: fenced(id, attempt) });
    if (!job) return false;
    const analysis = await writeTrackSecondsAnalysis(tx, {
      kind: "VIDEO",
      apiKeyId: job.apiKeyId,
      idempotencyScope: job.idempotencyScope,
      source: job.source,
      campaign: job.campaign,
      capturedAt: job.capturedAt,
      modelVersion: result.modelVersion,
      backend: result.backend,
      width: result.width,
      height: result.height,
      timings: result.timings,
      trackSeconds: result.trackSeconds,
    });
    if (result.tracks.length > 0) {
      await tx.videoTrack.createMany({
        data: result.tracks.map((track) => ({
          jobId: id,
          index: track.index,
          firstSeconds: track.firstSeconds,
          lastSeconds: track.lastSeconds,
          frames: track.frames,
          dominantEmotion: track.dominantEmotion,
          meanValence: track.meanValence,
          probabilities: [...track.probabilities],
          series: track.series as Prisma.InputJsonValue,
        })),
      });
    }
    if (result.timeline.length > 0) {
      await tx.videoTimelineSecond.createMany({
        data: result.timeline.map((s) => ({
          jobId: id,
          second: s.second,
          faces: s.faces,
          meanValence: s.meanValence,
          shares: [...s.shares],
        })),
      });
    }
    await tx.videoJob.update({
      where: { id },
      data: {
        status: "done",
        finishedAt: now,
        analysisId: analysis.id,
        timings: result.timings,
        modelVersion: result.modelVersion,
        framesDone: job.framesTotal ?? job.framesDone,
      },
    });
    await dropWorkingData(tx, job);
    return true;
  });
}

/**
 * Failed with a typed error (code + message). `attempt` null: from outside any attempt (the dead-letter handler, a
 * job that failed before a worker took it). Nothing of a failed job reaches the statistics.
 */
export async function failVideoJob(
  prisma: DbClient,
  id: string,
  attempt: number | null,
  error: { code: string; message: string },
  now = new Date(),
): Promise<boolean> {
  if (!isUuid(id)) return false;
  return prisma.$transaction(async (tx) => {
    const where: Prisma.VideoJobWhereInput =
      attempt === null ? { id, status: { in: ["queued", "running"] } } : fenced(id, attempt);
    const job = await tx.videoJob.findFirst({ where });
    if (!job) return false;
    await tx.videoJob.update({
      where: { id },
      data: {
        status: "failed",
        finishedAt: now,
        errorCode: error.code,
        errorMessage: error.message.slice(0, 2000),
      },
    });
    await dropWorkingData(tx, job);
    return true;
  });
}

/** Queued or running -> cancelled (a running worker notices at its next batch); an ended job is returned as is. */
export async function cancelVideoJob(
  prisma: DbClient,
  id: string,
  now = new Date(),
): Promise<VideoJobRecord | null> {
  if (!isUuid(id)) return null;
  await prisma.$transaction(async (tx) => {
    const job = await tx.videoJob.findFirst({ where: { id, status: { notIn: TERMINAL } } });
    if (!job) return;
    await tx.videoJob.update({ where: { id }, data: { status: "cancelled", finishedAt: now } });
    await dropWorkingData(tx, job);
  });
  return getVideoJob(prisma, id);
}

/** Ids of jobs not ended (queued or running): what a worker re-sends to the queue at start-up. */
export async function listOpenVideoJobIds(prisma: DbClient): Promise<string[]> {
  const rows = await prisma.videoJob.findMany({
    where: { status: { in: ["queued", "running"] } },
    select: { id: true },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((row) => row.id);
}

export const isVideoJobEnded = (status: VideoJobStatus): boolean => TERMINAL.includes(status);
