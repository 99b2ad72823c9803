import { join } from "node:path";
import { afterAll, beforeAll, expect, it, describe } from "vitest";
import { describeEachDatabase } from "@moodlens/db/testing";
import { createDb, getRun } from "@moodlens/db";
import { loadModelArtifacts, selectBackend, tf } from "@moodlens/model";
import { createRun } from "../src/run/create-run";
import { executeRun } from "../src/run/execute-run";
import type { RunRecorder } from "../src/run/run-options";
import { partition } from "../src/dataset/partition";
import { syncRunToDatabase } from "../src/records/sync";
import { readSync, readCheckpointPointer } from "../src/run/run-files";
import { loadOrImport } from "../src/dataset/load";
import { Trainer } from "../src/training/trainer";
import { copyFerSubset, tempDirectory } from "./helpers";
import { TINY_CONFIG } from "./tiny-config";

const work = tempDirectory("training");
const trainTree = join(work.path, "train");
const valTree = join(work.path, "val");
const cacheDirectory = join(work.path, "cache");
const quiet = () => {};

const tinyConfig = TINY_CONFIG;

beforeAll(async () => {
  copyFerSubset("train", trainTree, 30);
  copyFerSubset("val", valTree, 8);
  await selectBackend("wasm", { forTraining: true, logger: quiet });
});
afterAll(() => work.remove());

describe("training loop", () => {
  it("does not leak tensors from one epoch to the next", async () => {
    const train = (await loadOrImport(trainTree, { cacheDirectory })).dataset;
    const val = (await loadOrImport(valTree, { cacheDirectory })).dataset;
    const parts = partition(tinyConfig, train, val);
    parts.train.indices = parts.train.indices.slice(0, 64);
    const trainer = new Trainer({ ...tinyConfig, epochs: 3 }, parts, { progress: false });
    const counts: number[] = [];
    for await (const result of trainer.epochs()) {
      expect(result.log.epoch).toBe(counts.length + 1);
      counts.push(tf.memory().numTensors);
    }
    trainer.dispose();
    // Epoch 1 creates the optimizer's moment variables; afterwards the count must not grow.
    expect(counts[2]).toBe(counts[1]);
  });
});

describe("data-parallel training (--workers 2)", () => {
  it("trains on two threads, reproducibly, close to the one-thread result", async () => {
    const train = (await loadOrImport(trainTree, { cacheDirectory })).dataset;
    const val = (await loadOrImport(valTree, { cacheDirectory })).dataset;
    const runOnce = async (workers: number) => {
      const parts = partition(tinyConfig, train, val);
      parts.train.indices = parts.train.indices.slice(0, 96);
      const trainer = new Trainer({ ...tinyConfig, epochs: 1 }, parts, { progress: false, workers });
      const logs = [];
      for await (const result of trainer.epochs()) logs.push(result.log);
      trainer.dispose();
      return logs[0]!;
    };
    const first = await runOnce(2);
    const second = await runOnce(2);
    expect(first.loss).toBe(second.loss);
    expect(first.valAccuracy).toBe(second.valAccuracy);
    // Same data and initial weights on one thread: the loss of the first epoch is of the same size (batch-norm
    // statistics per half and other dropout masks make it differ slightly).
    const single = await runOnce(1);
    expect(Number.isFinite(first.loss)).toBe(true);
    expect(Math.abs(first.loss - single.loss) / single.loss).toBeLessThan(0.2);
  });
});

describeEachDatabase("a run end to end", (database, kind) => {
  const runsDirectory = join(work.path, `runs-${kind}`);
  const recorderFor = (): RunRecorder => ({
    async sync(directory) {
      try {
        await syncRunToDatabase(directory, database().db);
        return undefined;
      } catch (error) {
        return String(error);
      }
    },
  });

  it("trains, checkpoints and records every epoch, the evaluation, the status and the model files", async () => {
    const { runId, runDirectory } = await createRun(
      {
        runsDirectory,
        experiment: `tiny-${kind}`,
        config: tinyConfig,
        dataPath: trainTree,
        valPath: valTree,
        register: true,
      },
      { cacheDirectory, log: quiet },
    );
    const outcome = await executeRun(runDirectory, {
      cacheDirectory,
      log: quiet,
      progress: false,
      recorder: recorderFor(),
    });
    expect(outcome.status).toBe("completed");
    expect(outcome.journal.map((log) => log.epoch)).toEqual([1, 2]);

    const run = await getRun(database().db.prisma, runId);
    expect(run?.status).toBe("completed");
    expect(run?.experimentName).toBe(`tiny-${kind}`);
    expect(run?.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(run?.epochs[1]?.valAccuracy).toBeCloseTo(outcome.journal[1]!.valAccuracy, 10);
    expect(run?.evaluations).toHaveLength(1);
    expect(run?.modelVersions).toHaveLength(1);
    expect((run?.params as Record<string, unknown>)["network.blockWidths"]).toBe("[4,8]");

    const { model, metadata } = await loadModelArtifacts(join(runDirectory, "model"));
    model.dispose();
    expect(metadata.runId).toBe(runId);
    expect(metadata.temperature).toBeCloseTo(outcome.evaluation!.report.temperature!, 10);
    expect(metadata.metrics.valAccuracy).toBeCloseTo(outcome.evaluation!.report.accuracy, 10);
    expect(run?.evaluations[0]?.temperature).toBeCloseTo(metadata.temperature, 10);

    // Syncing again changes nothing: no duplicated epochs, evaluations or versions.
    await syncRunToDatabase(runDirectory, database().db);
    const again = await getRun(database().db.prisma, runId);
    expect(again?.epochs).toHaveLength(2);
    expect(again?.evaluations).toHaveLength(1);
    expect(again?.modelVersions).toHaveLength(1);
  });

  it("keeps training when the database is away, and syncs everything later", async () => {
    const { runId, runDirectory } = await createRun(
      {
        runsDirectory,
        experiment: `tiny-${kind}`,
        name: "database away",
        config: { ...tinyConfig, seed: 12 },
        dataPath: trainTree,
        valPath: valTree,
      },
      { cacheDirectory, log: quiet },
    );
    // A real database that cannot be reached: nothing listens on port 1.
    const away: RunRecorder = {
      async sync(directory) {
        try {
          const db = await createDb({ url: "postgres://postgres@127.0.0.1:1/nowhere" });
          await syncRunToDatabase(directory, db);
          return undefined;
        } catch (error) {
          return error instanceof Error ? error.message : String(error);
        }
      },
    };
    const problems: string[] = [];
    const outcome = await executeRun(runDirectory, {
      cacheDirectory,
      log: (line) => problems.push(line),
      progress: false,
      recorder: away,
    });
    expect(outcome.status).toBe("completed");
    expect(outcome.syncProblem).toBeTruthy();
    expect(problems.some((line) => /database sync postponed/.test(line))).toBe(true);
    expect(await getRun(database().db.prisma, runId)).toBeNull();
    expect(readCheckpointPointer(runDirectory)?.epoch).toBe(2);

    const synced = await syncRunToDatabase(runDirectory, database().db);
    expect(synced).toMatchObject({ epochs: 2, evaluation: true, final: true });
    expect(readSync(runDirectory).lastError).toBeUndefined();
    const run = await getRun(database().db.prisma, runId);
    expect(run?.status).toBe("completed");
    expect(run?.epochs.map((e) => e.epoch)).toEqual([1, 2]);
  });
});
