/**
 * Real worker processes (`tsx src/main.ts`, as `npm run worker` starts them) on one queue:
 *  - two workers share the jobs: each job is taken once and every sampled frame enters its results once;
 *  - a worker SIGKILLed mid-job: the job is retried by the other worker from its last checkpoint and ends with the
 *    same tracks, timeline and statistics as a clean run of the same clip;
 *  - SIGTERM drains: the job in hand is finished, then the process exits 0;
 *  - the database dropping every connection mid-job: the job still ends done with every frame once (an attempt
 *    that fails on the dead connection is retried by pg-boss; most reconnect within the attempt).
 * PostgreSQL by default; MOODLENS_TEST_DATABASES=pglite runs it on the served embedded database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getVideoJob, type VideoJobRecord } from "@moodlens/db";
import { openJobQueue, submitVideoJob, type JobQueue } from "@moodlens/jobs";
import { openQueueTestDatabase, type QueueTestDatabase } from "@moodlens/jobs/testing";
import { makePanClip } from "@moodlens/video/testing";

const MAIN = path.join(import.meta.dirname, "..", "src", "main.ts");
const QUEUE_SETTINGS = {
  heartbeatSeconds: 10,
  superviseIntervalSeconds: 2,
  retryDelaySeconds: 1,
  retryLimit: 3,
};

interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  ready: Promise<void>;
}

function startWorkerProcess(url: string, name: string): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      MOODLENS_VIDEO_BATCH_FRAMES: "2",
      MOODLENS_JOB_POLL_SECONDS: "0.5",
      MOODLENS_JOB_HEARTBEAT_SECONDS: String(QUEUE_SETTINGS.heartbeatSeconds),
      MOODLENS_JOB_SUPERVISE_SECONDS: String(QUEUE_SETTINGS.superviseIntervalSeconds),
      MOODLENS_JOB_RETRY_DELAY_SECONDS: String(QUEUE_SETTINGS.retryDelaySeconds),
      MOODLENS_JOB_RETRY_LIMIT: String(QUEUE_SETTINGS.retryLimit),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        output.push(line);
        if (process.env.MOODLENS_TEST_LOG) console.log(`[${name}] ${line}`);
        if (line.includes("ready:")) resolve();
      }
    };
    child.stdout!.on("data", onLine);
    child.stderr!.on("data", onLine);
    child.once("exit", (code) =>
      reject(new Error(`worker ${name} exited (${code}) before it was ready:\n${output.join("\n")}`)),
    );
  });
  return { child, output, ready };
}

async function stopWorker(worker: WorkerProcess | undefined): Promise<void> {
  if (!worker || worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  const exited = new Promise((resolve) => worker.child.once("exit", resolve));
  worker.child.kill("SIGTERM");
  await exited;
}

async function waitFor(
  database: QueueTestDatabase,
  id: string,
  until: (job: VideoJobRecord) => boolean,
  timeoutMs = 400_000,
): Promise<VideoJobRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getVideoJob(database.db.prisma, id).catch(() => null); // the outage test drops connections
    if (job && until(job)) return job;
    if (Date.now() > deadline)
      throw new Error(
        `job ${id} did not reach the state in time (${job?.status}, ${job?.framesDone}/${job?.framesTotal})`,
      );
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
const ended = (job: VideoJobRecord) => ["done", "failed", "cancelled"].includes(job.status);

/** What the statistics and the product show of a job: per-second counts and each track's seconds and emotion. */
async function fingerprint(database: QueueTestDatabase, job: VideoJobRecord) {
  const faces = await database.db.prisma.face.groupBy({
    by: ["dominantEmotion"],
    where: { analysisId: job.analysisId! },
    _count: true,
    orderBy: { dominantEmotion: "asc" },
  });
  return {
    timeline: job.timeline.map((second) => [
      second.second,
      second.faces,
      second.shares.map((share) => share.toFixed(6)),
    ]),
    tracks: job.tracks.map((track) => [
      track.index,
      track.frames,
      track.firstSeconds,
      track.lastSeconds,
      track.dominantEmotion,
    ]),
    statistics: faces.map((row) => [row.dominantEmotion, row._count]),
  };
}

const KINDS = (process.env.MOODLENS_TEST_DATABASES ?? "postgres").split(",") as ("postgres" | "pglite")[];
for (const kind of KINDS) {
  describe(`worker processes on ${kind}`, () => {
    let database: QueueTestDatabase;
    let queue: JobQueue;
    let workers: WorkerProcess[] = [];
    let clip: Buffer;

    beforeAll(async () => {
      database = await openQueueTestDatabase(kind);
      queue = await openJobQueue({ connectionString: database.url, settings: QUEUE_SETTINGS });
      clip = await readFile(await makePanClip({ seconds: 6 }));
      workers = [startWorkerProcess(database.url, "A"), startWorkerProcess(database.url, "B")];
      await Promise.all(workers.map((worker) => worker.ready));
    }, 600_000);

    afterAll(async () => {
      await Promise.all(workers.map(stopWorker));
      await queue?.close({ graceful: false });
      await database?.drop();
    }, 120_000);

    test("two workers on one queue: each job taken once, every frame analysed once, same results as each other", async () => {
      const submitted = await Promise.all(
        [1, 2, 3].map((n) =>
          submitVideoJob(database.db.prisma, queue, {
            bytes: clip,
            clientRequestId: `two-${n}`,
            capturedAt: new Date("2026-11-03T08:00:00Z"),
          }),
        ),
      );
      const jobs = await Promise.all(submitted.map(({ job }) => waitFor(database, job.id, ended)));
      for (const job of jobs) {
        expect(job.status, job.errorMessage ?? "").toBe("done");
        expect(job.attempts).toBe(1);
        expect(job.framesDone).toBe(job.framesTotal);
        // Every sampled frame once: the tracks' series hold each sample time at most once per track, and the
        // frames counted per track match their series.
        for (const track of job.tracks) {
          const times = (track.series as { seconds: number }[]).map((point) => point.seconds);
          expect(new Set(times).size).toBe(times.length);
          expect(times.length).toBe(track.frames);
        }
      }
      const taken = workers.flatMap((worker) => worker.output.filter((line) => / taken /.test(line)));
      expect(taken).toHaveLength(3);
      // The same clip gives the same results whoever analysed it.
      const [first, ...rest] = await Promise.all(jobs.map((job) => fingerprint(database, job)));
      for (const other of rest) expect(other).toEqual(first);
    });

    test("a worker SIGKILLed mid-job: the other resumes it from the checkpoint; results equal a clean run", async () => {
      const clean = await waitFor(
        database,
        (await submitVideoJob(database.db.prisma, queue, { bytes: clip, clientRequestId: "clean" })).job.id,
        ended,
      );
      expect(clean.status).toBe("done");

      const { job } = await submitVideoJob(database.db.prisma, queue, {
        bytes: clip,
        clientRequestId: "killed",
      });
      const running = await waitFor(database, job.id, (current) => current.framesDone >= 4 || ended(current));
      expect(running.status, "the job ended before the kill: make the clip longer").toBe("running");
      const victim = workers.find((worker) =>
        worker.output.some((line) => line.includes(`job ${job.id} taken`)),
      )!;
      victim.child.kill("SIGKILL");
      await new Promise((resolve) => victim.child.once("exit", resolve));

      const resumed = await waitFor(database, job.id, ended);
      expect(resumed.status, resumed.errorMessage ?? "").toBe("done");
      expect(resumed.attempts).toBeGreaterThanOrEqual(2);
      expect(resumed.framesDone).toBe(clean.framesDone);
      expect(await fingerprint(database, resumed)).toEqual(await fingerprint(database, clean));

      // Bring the pair back for the next test.
      const replacement = startWorkerProcess(database.url, "C");
      workers = [...workers.filter((worker) => worker !== victim), replacement];
      await replacement.ready;
    });

    test("SIGTERM drains: the worker finishes the job it holds (no retry) and exits 0", async () => {
      const { job } = await submitVideoJob(database.db.prisma, queue, {
        bytes: clip,
        clientRequestId: "drain",
      });
      await waitFor(database, job.id, (current) => current.framesDone >= 2 || ended(current));
      const holder = workers.find((worker) =>
        worker.output.some((line) => line.includes(`job ${job.id} taken`)),
      )!;
      const exited = new Promise<number | null>((resolve) =>
        holder.child.once("exit", (code) => resolve(code)),
      );
      holder.child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const finished = (await getVideoJob(database.db.prisma, job.id))!;
      expect(finished.status, finished.errorMessage ?? "").toBe("done");
      expect(finished.attempts).toBe(1);
      expect(holder.output.some((line) => line.includes("SIGTERM: draining"))).toBe(true);

      const replacement = startWorkerProcess(database.url, "D");
      workers = [...workers.filter((worker) => worker !== holder), replacement];
      await replacement.ready;
    });

    test.runIf(kind === "postgres")(
      "the database drops every connection mid-job: the job still ends done, each frame once",
      async () => {
        const { job } = await submitVideoJob(database.db.prisma, queue, {
          bytes: clip,
          clientRequestId: "outage",
        });
        await waitFor(database, job.id, (current) => current.framesDone >= 2 || ended(current));
        const name = new URL(database.url).pathname.slice(1);
        await database.db.prisma.$executeRawUnsafe(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
        );
        const finished = await waitFor(database, job.id, ended);
        expect(finished.status, finished.errorMessage ?? "").toBe("done");
        expect(finished.framesDone).toBe(finished.framesTotal);
        const clean = (await getVideoJob(
          database.db.prisma,
          (await database.db.prisma.videoJob.findFirstOrThrow({ where: { clientRequestId: "clean" } })).id,
        ))!;
        expect(await fingerprint(database, finished)).toEqual(await fingerprint(database, clean));
      },
    );
  });
}
