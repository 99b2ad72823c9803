/**
 * `npm run analyze -- video FILE [--fps N] [--source S] [--campaign C] [--captured-at ISO] [--id CLIENT_REQUEST_ID]
 * [--json]`: submits the video like POST /v1/videos does (upload + job row + queue message), shows a progress bar
 * on stderr until a worker (`npm start` runs one, `npm run worker` starts more) has finished it, then prints the
 * tracks and their dominant emotions, or the whole job as JSON with --json.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb, defaultPgliteDir, getVideoJob, type VideoJobRecord } from "@moodlens/db";
import { openJobQueue, queueDatabaseUrl, submitVideoJob } from "@moodlens/jobs";
import { AppError, EMOTIONS } from "@moodlens/shared";
import type { WorkerConfig } from "../env";

const USAGE =
  "usage: npm run analyze -- video FILE [--fps N] [--source S] [--campaign C] [--captured-at ISO] [--id REQUEST_ID] [--json]";
const POLL_MS = 500;
/** Queued this long without a worker taking it: say how to start one (the job stays queued). */
const NO_WORKER_HINT_MS = 20_000;

function bar(done: number, total: number | null, width = 30): string {
  if (!total) return `[${" ".repeat(width)}] probing…`;
  const share = Math.min(1, done / total);
  const filled = Math.round(share * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} frames ${(share * 100).toFixed(0)}%`;
}

export function summaryLines(job: VideoJobRecord): string[] {
  const info = job.videoInfo as { width: number; height: number; durationSeconds: number } | null;
  const lines = [
    `job ${job.id}: ${job.status}${info ? ` (${info.width}x${info.height}, ${info.durationSeconds.toFixed(1)} s, ${job.framesDone} frames at ${job.sampleFps} fps)` : ""}`,
  ];
  if (job.status === "failed") lines.push(`error ${job.errorCode}: ${job.errorMessage}`);
  if (job.status !== "done") return lines;
  lines.push(`${job.tracks.length} face track(s)`);
  for (const track of job.tracks) {
    const top = EMOTIONS.map((emotion, i) => ({ emotion, p: track.probabilities[i] ?? 0 }))
      .sort((a, b) => b.p - a.p)
      .slice(0, 2)
      .map(({ emotion, p }) => `${emotion} ${(p * 100).toFixed(0)}%`)
      .join(", ");
    lines.push(
      `  track ${track.index}: ${track.firstSeconds.toFixed(1)}-${track.lastSeconds.toFixed(1)} s, ${track.frames} frames, ${track.dominantEmotion} (${top}), valence ${track.meanValence.toFixed(2)}`,
    );
  }
  const trackSeconds = job.timeline.reduce((sum, second) => sum + second.faces, 0);
  lines.push(
    `${trackSeconds} track-second(s) counted in the statistics (source ${job.source}, campaign ${job.campaign})`,
  );
  return lines;
}

export async function analyzeCommand(
  argv: string[],
  config: WorkerConfig,
  out: { stdout: (line: string) => void; progress: (text: string) => void } = {
    stdout: (line) => console.log(line),
    progress: (text) => process.stderr.isTTY && process.stderr.write(`\r${text}`),
  },
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      fps: { type: "string" },
      source: { type: "string" },
      campaign: { type: "string" },
      "captured-at": { type: "string" },
      id: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    out.stdout(USAGE);
    return 0;
  }
  const [command, file] = positionals;
  if (command !== "video" || !file)
    throw new AppError("BAD_USER_INPUT", `expected: video FILE`, { hint: USAGE });
  const sampleFps = values.fps === undefined ? undefined : Number(values.fps);
  if (sampleFps !== undefined && !Number.isFinite(sampleFps))
    throw new AppError("BAD_USER_INPUT", "--fps must be a number", { hint: USAGE });
  const capturedAt = values["captured-at"] ? new Date(values["captured-at"]) : undefined;
  if (capturedAt && Number.isNaN(capturedAt.getTime()))
    throw new AppError("BAD_USER_INPUT", "--captured-at must be an ISO-8601 instant");
  const bytes = await readFile(file).catch((cause: unknown) => {
    throw new AppError("NOT_FOUND", `cannot read ${file}`, { cause });
  });

  const dataDir = defaultPgliteDir(config.dataDir);
  const url = queueDatabaseUrl(config.databaseUrl, dataDir);
  const db = await createDb({ url, poolSize: 2 });
  const queue = await openJobQueue({ connectionString: url, maxConnections: 1 }).catch(
    async (error: unknown) => {
      await db.close();
      throw error;
    },
  );
  try {
    const { job: submitted, deduplicated } = await submitVideoJob(db.prisma, queue, {
      bytes,
      fileName: path.basename(file),
      source: values.source ?? "cli",
      campaign: values.campaign ?? null,
      capturedAt: capturedAt ?? null,
      sampleFps: sampleFps ?? null,
      clientRequestId: values.id ?? null,
    });
    out.progress(`job ${submitted.id}${deduplicated ? " (same request id: the earlier job)" : ""} queued\n`);
    const started = Date.now();
    let hinted = false;
    for (;;) {
      const job = await getVideoJob(db.prisma, submitted.id);
      if (!job) throw new AppError("NOT_FOUND", `job ${submitted.id} disappeared`);
      if (["done", "failed", "cancelled"].includes(job.status)) {
        out.progress(`${bar(job.framesDone, job.framesTotal)}\n`);
        if (values.json) out.stdout(JSON.stringify(job, null, 2));
        else summaryLines(job).forEach((line) => out.stdout(line));
        return job.status === "done" ? 0 : 1;
      }
      out.progress(bar(job.framesDone, job.framesTotal));
      if (!hinted && job.status === "queued" && Date.now() - started > NO_WORKER_HINT_MS) {
        hinted = true;
        out.progress(
          "\nstill queued: is a worker running? (`npm start` runs one; `npm run worker` starts another)\n",
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await queue.close({ graceful: false, timeoutMs: 5_000 });
    await db.close();
  }
}
