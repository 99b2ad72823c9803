import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, getRun } from "@moodlens/db";
import { copyFerSubset, runCli, tempDirectory, TINY_TRAIN_ARGS } from "./helpers";

/**
 * Kill-and-resume with the embedded database (DATABASE_URL unset → PGlite in MOODLENS_DATA_DIR), the mode a
 * fresh clone runs in: the training process never holds the database; each epoch's sync opens and closes it.
 */
const work = tempDirectory("cli-pglite");
const trainTree = join(work.path, "train");
const valTree = join(work.path, "val");
const runsDirectory = join(work.path, "runs");
let env: Record<string, string | undefined>;

beforeAll(() => {
  copyFerSubset("train", trainTree, 30);
  copyFerSubset("val", valTree, 8);
  env = {
    DATABASE_URL: "",
    MOODLENS_DATA_DIR: join(work.path, "data"),
    MOODLENS_CACHE_DIR: join(work.path, "cache"),
    MOODLENS_RUNS_DIR: runsDirectory,
  };
});
afterAll(() => work.remove());

describe("trainer CLI on embedded PGlite", () => {
  it("resumes a SIGKILLed run without duplicated epochs and records it completed", async () => {
    const args = [
      "train",
      "--data",
      trainTree,
      "--val",
      valTree,
      ...TINY_TRAIN_ARGS.filter((a) => a !== "--no-progress"),
      "--run-id",
      "killed",
    ];
    const killed = await runCli(args, env, { killWhen: (stderr) => /epoch 2\/2 [█░]/.test(stderr) });
    expect(killed.signal).toBe("SIGKILL");
    const resumed = await runCli(["train", "--resume", "killed", "--no-progress"], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    // An uninterrupted run of the same config, without the database, for the reference journal.
    const clean = await runCli(
      ["train", "--data", trainTree, "--val", valTree, ...TINY_TRAIN_ARGS, "--run-id", "clean", "--no-db"],
      env,
    );
    expect(clean.code, clean.stderr).toBe(0);
    const journal = (id: string) =>
      readFileSync(join(runsDirectory, id, "journal.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, number>);
    const reference = journal("clean");

    const db = await createDb({ url: "", dataDir: join(work.path, "data", "pglite") });
    try {
      const run = await getRun(db.prisma, "killed");
      expect(run?.status).toBe("completed");
      expect(run?.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      run!.epochs.forEach((epoch, i) => {
        expect(epoch.loss).toBe(reference[i]!.loss);
        expect(epoch.valAccuracy).toBe(reference[i]!.valAccuracy);
      });
      expect(run?.evaluations).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});
