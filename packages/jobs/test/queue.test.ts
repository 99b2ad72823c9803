/**
 * The queue on its own, no worker: a submitted video is one job row and one pg-boss message whatever the retries,
 * a row left without a message (a crash between insert and send) is re-sent by the start-up sweep, and a cancelled
 * message is gone. Real PostgreSQL; the message table is pg-boss's own (schema pgboss).
 */
import { createVideoJob } from "@moodlens/db";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  openJobQueue,
  queueDatabaseUrl,
  submitVideoJob,
  sweepUnqueuedJobs,
  VIDEO_QUEUE,
  type JobQueue,
} from "../src";
import { openQueueTestDatabase, type QueueTestDatabase } from "../src/testing";

const BYTES = new Uint8Array([0, 0, 0, 24, 102, 116, 121, 112]); // never decoded here: no worker runs

describe("video job queue (pg-boss on PostgreSQL)", () => {
  let database: QueueTestDatabase;
  let queue: JobQueue;

  beforeAll(async () => {
    database = await openQueueTestDatabase("postgres");
    queue = await openJobQueue({ connectionString: database.url });
  }, 120_000);
  afterAll(async () => {
    await queue?.close({ graceful: false });
    await database?.drop();
  });

  const messages = async (id: string) =>
    (
      await database.db.prisma.$queryRawUnsafe<{ count: bigint }[]>(
        `SELECT count(*) AS count FROM pgboss.job WHERE name = $1 AND id = $2::uuid AND state IN ('created', 'retry', 'active')`,
        VIDEO_QUEUE,
        id,
      )
    )[0]!.count;

  test("a replayed clientRequestId returns the first job and leaves one message", async () => {
    const first = await submitVideoJob(database.db.prisma, queue, {
      bytes: BYTES,
      clientRequestId: "clip-1",
    });
    const again = await submitVideoJob(database.db.prisma, queue, {
      bytes: BYTES,
      clientRequestId: "clip-1",
    });
    expect(first.deduplicated).toBe(false);
    expect(again).toMatchObject({ deduplicated: true, job: { id: first.job.id } });
    expect(await database.db.prisma.videoJob.count({ where: { clientRequestId: "clip-1" } })).toBe(1);
    expect(await messages(first.job.id)).toBe(1n);
  });

  test("the start-up sweep re-sends a job whose message was never sent, once", async () => {
    const { job } = await createVideoJob(database.db.prisma, { bytes: BYTES });
    expect(await messages(job.id)).toBe(0n);
    expect(await sweepUnqueuedJobs(database.db.prisma, queue)).toBeGreaterThanOrEqual(1);
    await sweepUnqueuedJobs(database.db.prisma, queue);
    expect(await messages(job.id)).toBe(1n);
  });

  test("cancel takes a queued message out of the queue", async () => {
    const { job } = await submitVideoJob(database.db.prisma, queue, { bytes: BYTES });
    expect(await messages(job.id)).toBe(1n);
    await queue.cancelVideoJob(job.id);
    expect(await messages(job.id)).toBe(0n);
  });

  test("without DATABASE_URL and without npm start's embedded server, the queue says where to look", () => {
    expect(() => queueDatabaseUrl(undefined, "/nonexistent/moodlens-data")).toThrow(
      expect.objectContaining({ code: "DATABASE_UNAVAILABLE" }),
    );
    expect(queueDatabaseUrl(" postgres://x/y ")).toBe("postgres://x/y");
  });
});
