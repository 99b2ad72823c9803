/**
 * Video jobs end to end in one process, on PostgreSQL and on the embedded PGlite served like `npm start` serves
 * it: submit (upload + row + queue message) -> a real worker (real model, ffmpeg) -> tracks, timeline and the
 * statistics contribution; bad input fails with a typed error and leaves nothing behind; cancel.
 * Clips are made by @moodlens/video/testing with ffmpeg from the sample photos.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  cancelVideoJob,
  emotionStats,
  getVideoJob,
  readVideoUpload,
  type VideoJobRecord,
} from "@moodlens/db";
import { submitVideoJob } from "@moodlens/jobs";
import { openQueueTestDatabase, type QueueTestDatabase } from "@moodlens/jobs/testing";
import { makeNoFaceClip, makePanClip, makeTruncatedClip } from "@moodlens/video/testing";
import { loadWorkerConfig } from "../src/env";
import { startWorker, type RunningWorker } from "../src/worker";

const CAPTURED_AT = new Date("2026-11-02T10:00:00.000Z");

async function waitForEnd(
  database: QueueTestDatabase,
  id: string,
  timeoutMs = 240_000,
): Promise<{ job: VideoJobRecord; seen: Set<string> }> {
  const seen = new Set<string>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getVideoJob(database.db.prisma, id);
    if (!job) throw new Error(`job ${id} vanished`);
    seen.add(job.status);
    if (["done", "failed", "cancelled"].includes(job.status)) return { job, seen };
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const KINDS = (process.env.MOODLENS_TEST_DATABASES ?? "postgres,pglite").split(",") as (
  | "postgres"
  | "pglite"
)[];
for (const kind of KINDS) {
  describe(`video jobs on ${kind}`, () => {
    let database: QueueTestDatabase;
    let worker: RunningWorker;

    beforeAll(async () => {
      database = await openQueueTestDatabase(kind);
      worker = await startWorker(
        loadWorkerConfig({
          DATABASE_URL: database.url,
          MOODLENS_VIDEO_BATCH_FRAMES: "3",
          MOODLENS_JOB_RETRY_LIMIT: "1",
          MOODLENS_JOB_POLL_SECONDS: "0.5",
        }),
        () => {},
      );
    }, 300_000);

    afterAll(async () => {
      await worker?.stop();
      await database?.drop();
    }, 120_000);

    test("a pan across two faces: queued -> running -> done, tracks, timeline, counted once per track-second", async () => {
      const clip = await makePanClip({ seconds: 4 });
      const submitted = await submitVideoJob(database.db.prisma, worker.queue, {
        bytes: await readFile(clip),
        source: "lobby",
        campaign: "video-test",
        capturedAt: CAPTURED_AT,
        sampleFps: 2,
        clientRequestId: "pan-1",
        fileName: "pan.mp4",
      });
      expect(submitted.job.status).toBe("queued");
      const { job, seen } = await waitForEnd(database, submitted.job.id);
      expect(job.status, job.errorMessage ?? "").toBe("done");
      expect(seen.has("queued") || seen.has("running")).toBe(true);
      expect(job.framesTotal).toBeGreaterThanOrEqual(7);
      expect(job.framesDone).toBe(job.framesTotal);
      expect(job.tracks.length).toBeGreaterThanOrEqual(2);
      expect(job.timeline).toHaveLength(4);
      // Privacy by default: the upload is gone once analysed.
      expect(await readVideoUpload(database.db.prisma, job.id)).toBeNull();

      // The counting rule: the statistics gain one face per track-second, as kind VIDEO.
      const trackSeconds = job.timeline.reduce((sum, second) => sum + second.faces, 0);
      expect(trackSeconds).toBeGreaterThanOrEqual(6);
      const range = { from: new Date("2026-11-02T00:00:00Z"), to: new Date("2026-11-03T00:00:00Z") };
      expect((await emotionStats(database.db.prisma, { ...range, kinds: ["VIDEO"] })).totalFaces).toBe(
        trackSeconds,
      );
      expect((await emotionStats(database.db.prisma, { ...range, kinds: ["PHOTO"] })).totalFaces).toBe(0);
      const analysis = await database.db.prisma.analysis.findUniqueOrThrow({
        where: { id: job.analysisId! },
        include: { faces: true },
      });
      expect(analysis.kind).toBe("VIDEO");
      expect(analysis.faces).toHaveLength(trackSeconds);

      // Replaying the same clientRequestId returns the same job and counts nothing twice.
      const replay = await submitVideoJob(database.db.prisma, worker.queue, {
        bytes: await readFile(clip),
        clientRequestId: "pan-1",
      });
      expect(replay).toMatchObject({ deduplicated: true, job: { id: job.id } });
      expect((await emotionStats(database.db.prisma, { ...range, kinds: ["VIDEO"] })).totalFaces).toBe(
        trackSeconds,
      );
    });

    test("a video without faces is done with no tracks and an empty timeline", async () => {
      const clip = await makeNoFaceClip({ seconds: 2 });
      const { job: queued } = await submitVideoJob(database.db.prisma, worker.queue, {
        bytes: await readFile(clip),
        capturedAt: CAPTURED_AT,
      });
      const { job } = await waitForEnd(database, queued.id);
      expect(job.status, job.errorMessage ?? "").toBe("done");
      expect(job.tracks).toEqual([]);
      expect(job.timeline.every((second) => second.faces === 0)).toBe(true);
    });

    test("not a video and a truncated file: FAILED with BAD_USER_INPUT, nothing half-written", async () => {
      const bogus = await submitVideoJob(database.db.prisma, worker.queue, {
        bytes: new TextEncoder().encode("this is not a video ".repeat(100)),
      });
      const truncatedClip = await makeTruncatedClip({ keep: 0.5, indexLast: true });
      const truncated = await submitVideoJob(database.db.prisma, worker.queue, {
        bytes: await readFile(truncatedClip),
      });
      for (const id of [bogus.job.id, truncated.job.id]) {
        const { job } = await waitForEnd(database, id);
        expect(job.status).toBe("failed");
        expect(job.errorCode).toBe("BAD_USER_INPUT");
        expect(job.errorMessage).toMatch(/video/);
        expect(job.analysisId).toBeNull();
        expect(job.tracks).toEqual([]);
        expect(await readVideoUpload(database.db.prisma, id)).toBeNull();
        expect(await database.db.prisma.videoCheckpoint.count({ where: { jobId: id } })).toBe(0);
      }
    });

    test("a video over the duration limit: FAILED with PAYLOAD_TOO_LARGE before any frame is analysed", async () => {
      await worker.stop();
      worker = await startWorker(
        loadWorkerConfig({
          DATABASE_URL: database.url,
          MOODLENS_VIDEO_MAX_SECONDS: "1",
          MOODLENS_JOB_POLL_SECONDS: "0.5",
        }),
        () => {},
      );
      try {
        const clip = await makePanClip({ seconds: 3 });
        const { job: queued } = await submitVideoJob(database.db.prisma, worker.queue, {
          bytes: await readFile(clip),
        });
        const { job } = await waitForEnd(database, queued.id);
        expect(job.status).toBe("failed");
        expect(job.errorCode).toBe("PAYLOAD_TOO_LARGE");
        expect(job.framesDone).toBe(0);
        expect(job.analysisId).toBeNull();
        expect(await readVideoUpload(database.db.prisma, job.id)).toBeNull();
      } finally {
        worker = await restartWorker(worker, database);
      }
    });

    test("cancel: a cancelled job is never analysed and keeps no upload", async () => {
      await worker.queue.boss.offWork("video-analysis");
      try {
        const clip = await makePanClip({ seconds: 2 });
        const { job: queued } = await submitVideoJob(database.db.prisma, worker.queue, {
          bytes: await readFile(clip),
        });
        const cancelled = await cancelVideoJob(database.db.prisma, queued.id);
        await worker.queue.cancelVideoJob(queued.id);
        expect(cancelled?.status).toBe("cancelled");
        expect(await readVideoUpload(database.db.prisma, queued.id)).toBeNull();
        // A second cancel returns the job unchanged.
        expect((await cancelVideoJob(database.db.prisma, queued.id))?.status).toBe("cancelled");
      } finally {
        worker = await restartWorker(worker, database);
      }
    });
  });
}

async function restartWorker(worker: RunningWorker, database: QueueTestDatabase): Promise<RunningWorker> {
  await worker.stop();
  return startWorker(
    loadWorkerConfig({
      DATABASE_URL: database.url,
      MOODLENS_VIDEO_BATCH_FRAMES: "3",
      MOODLENS_JOB_POLL_SECONDS: "0.5",
    }),
    () => {},
  );
}
