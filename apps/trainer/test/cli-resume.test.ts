import { existsSync, readFileSync, mkdirSync, copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@moodlens/db/testing";
import { getRun } from "@moodlens/db";
import { EMOTIONS, type EvaluationReport } from "@moodlens/shared";
import { copyFerSubset, FER, runCli, tempDirectory, TINY_TRAIN_ARGS } from "./helpers";

/**
 * The CLI as users run it, against PostgreSQL: a clean run, and a run SIGKILLed in the middle of epoch 2 then
 * resumed. Both must end with the same record. Then `evaluate --json` (the contract other parts rely on).
 */
const work = tempDirectory("cli");
const trainTree = join(work.path, "train");
const valTree = join(work.path, "val");
const testTree = join(work.path, "test");
const runsDirectory = join(work.path, "runs");
let database: TestDatabase;
let env: Record<string, string>;

const sameMetrics = (a: Record<string, unknown>, b: Record<string, unknown>) => {
  for (const key of ["epoch", "loss", "accuracy", "valLoss", "valAccuracy", "valMacroF1", "learningRate"])
    expect(a[key], key).toBe(b[key]);
};

beforeAll(async () => {
  copyFerSubset("train", trainTree, 30);
  copyFerSubset("val", valTree, 8);
  copyFerSubset("val", testTree, 4, { offset: 20, rename: { angry: "anger", sad: "sadness" } });
  mkdirSync(join(testTree, "contempt"));
  const some = readdirSync(join(FER, "val", "happy"))
    .sort()
    .slice(40, 43);
  for (const f of some) copyFileSync(join(FER, "val", "happy", f), join(testTree, "contempt", f));
  database = await createTestDatabase("postgres");
  env = {
    DATABASE_URL: database.url!,
    MOODLENS_CACHE_DIR: join(work.path, "cache"),
    MOODLENS_RUNS_DIR: runsDirectory,
  };
});
afterAll(async () => {
  await database?.drop();
  work.remove();
});

describe("trainer CLI on PostgreSQL", () => {
  it("a run killed mid-epoch 2 and resumed ends with the same record as an uninterrupted run", async () => {
    const common = [
      "train",
      "--data",
      trainTree,
      "--val",
      valTree,
      ...TINY_TRAIN_ARGS,
      "--experiment",
      "resume-test",
    ];
    const clean = await runCli([...common, "--run-id", "clean"], env);
    expect(clean.code, clean.stderr).toBe(0);

    // Progress on: the first batch of epoch 2 prints a bar line; kill right there (after epoch 1's checkpoint).
    const withProgress = common.filter((arg) => arg !== "--no-progress");
    const killed = await runCli([...withProgress, "--run-id", "killed"], env, {
      killWhen: (stderr) => /epoch 2\/2 [█░]/.test(stderr),
    });
    expect(killed.signal).toBe("SIGKILL");
    const state = JSON.parse(readFileSync(join(runsDirectory, "killed", "state.json"), "utf8")) as {
      epoch: number;
    };
    expect(state.epoch).toBe(1);
    expect(
      readFileSync(join(runsDirectory, "killed", "journal.jsonl"), "utf8")
        .trim()
        .split("\n"),
    ).toHaveLength(1);

    const resumed = await runCli(["train", "--resume", "killed", "--no-progress"], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming run killed after epoch 1/);

    const a = await getRun(database.db.prisma, "clean");
    const b = await getRun(database.db.prisma, "killed");
    expect(a?.status).toBe("completed");
    expect(b?.status).toBe("completed");
    expect(b?.epochs.map((e) => e.epoch)).toEqual([1, 2]); // no duplicated epoch
    a!.epochs.forEach((epoch, i) => sameMetrics(epoch as never, b!.epochs[i] as never));
    expect(b?.evaluations[0]?.accuracy).toBe(a?.evaluations[0]?.accuracy);
    expect(b?.evaluations[0]?.temperature).toBe(a?.evaluations[0]?.temperature);
    // Determinism all the way down: the final weights are byte-identical.
    expect(
      readFileSync(join(runsDirectory, "killed", "model", "weights.bin")).equals(
        readFileSync(join(runsDirectory, "clean", "model", "weights.bin")),
      ),
    ).toBe(true);

    const compare = await runCli(["runs", "compare", "clean", "killed"], env);
    expect(compare.code).toBe(0);
    expect(compare.stdout).toMatch(/bestValAccuracy/);
  });

  it("evaluate --json prints exactly the contract object for any folder tree, with the name mapping", async () => {
    const result = await runCli(
      ["evaluate", "--data", testTree, "--model", join(runsDirectory, "clean"), "--json"],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as EvaluationReport;
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining(["accuracy", "macroF1", "perClass", "confusion", "labels", "skipped", "ece"]),
    );
    expect(report.labels).toEqual([...EMOTIONS]);
    expect(Object.keys(report.perClass)).toEqual([...EMOTIONS]);
    expect(report.perClass.angry.support).toBe(4); // from the "anger" folder
    expect(report.perClass.sad.support).toBe(4); // from "sadness"
    expect(report.skipped).toEqual({ contempt: 3 });
    expect(report.confusion).toHaveLength(7);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(28);
    const correct = report.confusion.reduce((sum, row, i) => sum + row[i]!, 0);
    expect(report.accuracy).toBeCloseTo(correct / 28, 12);
    expect(report.ece).toBeGreaterThanOrEqual(0);
  });

  it("refuses to evaluate on the model's training data", async () => {
    const result = await runCli(
      ["evaluate", "--data", trainTree, "--model", join(runsDirectory, "clean"), "--json"],
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/training data/);
  });

  it("without --model evaluates what the API would serve: the promoted version, else the model files", async () => {
    const fallback = await runCli(["evaluate", "--data", testTree], {
      ...env,
      MOODLENS_MODEL_DIR: join(runsDirectory, "killed", "model"),
    });
    expect(fallback.code, fallback.stderr).toBe(0);
    expect(fallback.stderr).toMatch(/MOODLENS_MODEL_DIR/);

    const registered = await runCli(["models", "register", "clean"], env);
    expect(registered.code, registered.stderr).toBe(0);
    const version = /registered (\S+)/.exec(registered.stdout)![1]!;
    expect((await runCli(["models", "promote", version], env)).code).toBe(0);
    const served = await runCli(["evaluate", "--data", testTree, "--json"], {
      ...env,
      MOODLENS_MODEL_DIR: join(runsDirectory, "killed", "model"),
    });
    expect(served.code, served.stderr).toBe(0);
    expect(served.stderr).toContain(`production model version ${version}`);
    expect(existsSync(join(runsDirectory, "clean", "model", "metadata.json"))).toBe(true);
  });
});
