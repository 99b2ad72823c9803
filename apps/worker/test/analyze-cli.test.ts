/**
 * `npm run analyze -- video FILE`: submits, shows progress until a worker is done, prints the tracks (or the job as
 * JSON); exit code 0 when done, 1 when the job failed. A real worker runs in this process; PostgreSQL.
 */
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openQueueTestDatabase, type QueueTestDatabase } from "@moodlens/jobs/testing";
import { makePanClip } from "@moodlens/video/testing";
import { analyzeCommand } from "../src/cli/analyze-command";
import { loadWorkerConfig } from "../src/env";
import { startWorker, type RunningWorker } from "../src/worker";

describe("npm run analyze -- video", () => {
  let database: QueueTestDatabase;
  let worker: RunningWorker;

  beforeAll(async () => {
    database = await openQueueTestDatabase("postgres");
    worker = await startWorker(
      loadWorkerConfig({ DATABASE_URL: database.url, MOODLENS_JOB_POLL_SECONDS: "0.5" }),
      () => {},
    );
  }, 300_000);
  afterAll(async () => {
    await worker?.stop();
    await database?.drop();
  }, 120_000);

  const run = async (argv: string[]) => {
    const stdout: string[] = [];
    const progress: string[] = [];
    const code = await analyzeCommand(argv, loadWorkerConfig({ DATABASE_URL: database.url }), {
      stdout: (line) => stdout.push(line),
      progress: (text) => progress.push(text),
    });
    return { code, stdout, progress };
  };

  test("a clip: progress up to all frames, then the tracks with their dominant emotions", async () => {
    const clip = await makePanClip({ seconds: 3 });
    const { code, stdout, progress } = await run([
      "video",
      clip,
      "--fps",
      "2",
      "--source",
      "cli-test",
      "--campaign",
      "c1",
    ]);
    expect(code).toBe(0);
    expect(progress.at(-1)).toMatch(/\[#{30}\] 6\/6 frames 100%/);
    expect(stdout[0]).toMatch(/: done \(640x360, 3\.0 s, 6 frames at 2 fps\)$/);
    expect(stdout[1]).toMatch(/^\d+ face track\(s\)$/);
    expect(
      stdout.some((line) =>
        /^ {2}track 0: .* frames, (angry|disgust|fear|happy|sad|surprise|neutral) \(/.test(line),
      ),
    ).toBe(true);
    expect(stdout.at(-1)).toMatch(
      /track-second\(s\) counted in the statistics \(source cli-test, campaign c1\)/,
    );
  });

  test("--json prints the whole job; a file that is not a video exits 1 with its error", async () => {
    const bogus = path.join(os.tmpdir(), `not-a-video-${process.pid}.mp4`);
    await writeFile(bogus, "not a video at all ".repeat(50));
    const failed = await run(["video", bogus]);
    expect(failed.code).toBe(1);
    expect(failed.stdout.join("\n")).toMatch(/error BAD_USER_INPUT: .*video/);

    const clip = await makePanClip({ seconds: 2 });
    const json = await run(["video", clip, "--json", "--id", "cli-json-1"]);
    expect(json.code).toBe(0);
    const job = JSON.parse(json.stdout.join("\n")) as {
      status: string;
      clientRequestId: string;
      tracks: unknown[];
    };
    expect(job).toMatchObject({ status: "done", clientRequestId: "cli-json-1" });
    expect(job.tracks.length).toBeGreaterThan(0);
  });

  test("a missing file and a wrong command are typed input errors", async () => {
    await expect(run(["video", "/nonexistent/clip.mp4"])).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(run(["photo", "x.jpg"])).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });
});
