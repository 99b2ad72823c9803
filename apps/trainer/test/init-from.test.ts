import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@moodlens/shared";
import { selectBackend, tf } from "@moodlens/model";
import { createRun } from "../src/run/create-run";
import { executeRun } from "../src/run/execute-run";
import { readCheckpointPointer, readSpec } from "../src/run/run-files";
import { loadModelWeights } from "../src/run/checkpoint";
import { loadInitWeights, resolveInitFrom } from "../src/run/init-weights";
import { buildSeededNetwork } from "../src/training/seeded-network";
import type { TrainConfig } from "../src/training/config";
import { copyFerSubset, tempDirectory } from "./helpers";
import { TINY_CONFIG } from "./tiny-config";

/** --init-from: a run that starts from another run's best weights (fine-tuning, warm restart of the schedule). */
const work = tempDirectory("init-from");
const trainTree = join(work.path, "train");
const valTree = join(work.path, "val");
const cacheDirectory = join(work.path, "cache");
const runsDirectory = join(work.path, "runs");
const quiet = () => {};
const source: TrainConfig = { ...TINY_CONFIG, epochs: 1, augmentation: null };
let sourceRunId = "";
let sourceBest = "";

async function trainRun(config: TrainConfig, runId: string): Promise<string> {
  const { runDirectory } = await createRun(
    { runsDirectory, runId, experiment: "init-from", config, dataPath: trainTree, valPath: valTree },
    { cacheDirectory, log: quiet },
  );
  await executeRun(runDirectory, { cacheDirectory, log: quiet, progress: false });
  return runDirectory;
}

/** Largest absolute difference between the trainable weights of two networks of one architecture. */
function maxTrainableDifference(a: tf.LayersModel, b: tf.LayersModel): number {
  return Math.max(
    ...a.trainableWeights.map((weight, i) =>
      tf.tidy(() => tf.max(tf.abs(tf.sub(weight.read(), b.trainableWeights[i]!.read()))).dataSync()[0]!),
    ),
  );
}

function networkWithWeights(config: TrainConfig, folder: string): tf.LayersModel {
  const model = buildSeededNetwork(config);
  loadModelWeights(folder, model);
  return model;
}

beforeAll(async () => {
  copyFerSubset("train", trainTree, 12);
  copyFerSubset("val", valTree, 4);
  await selectBackend("wasm", { forTraining: true, logger: quiet });
  sourceRunId = "source-run";
  const directory = await trainRun(source, sourceRunId);
  sourceBest = join(directory, readCheckpointPointer(directory)!.best!);
});
afterAll(() => work.remove());

describe("--init-from", () => {
  it("resolves a run id, a run folder and a weights folder to the run's best weights", () => {
    const byId = resolveInitFrom(sourceRunId, runsDirectory, work.path);
    expect(byId.source).toBe(sourceBest);
    expect(byId.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(resolveInitFrom(join(runsDirectory, sourceRunId), runsDirectory, work.path)).toEqual(byId);
    expect(resolveInitFrom(sourceBest, runsDirectory, work.path)).toEqual(byId);
    expect(() => resolveInitFrom("no-such-run", runsDirectory, work.path)).toThrowError(
      /no run with a finished epoch/,
    );
  });

  it("starts the run from those weights and records where they came from", async () => {
    const initFrom = resolveInitFrom(sourceRunId, runsDirectory, work.path);
    // A learning rate too small to move the weights: after one epoch they must still be the source's.
    const config: TrainConfig = {
      ...source,
      learningRate: 1e-9,
      schedule: { kind: "constant" },
      seed: 99,
      initFrom,
    };
    const directory = await trainRun(config, "fine-tune");
    expect(readSpec(directory).config.initFrom).toEqual(initFrom);
    const after = networkWithWeights(config, join(directory, readCheckpointPointer(directory)!.checkpoint));
    const original = networkWithWeights(config, sourceBest);
    const randomStart = buildSeededNetwork(config);
    try {
      expect(maxTrainableDifference(after, original)).toBeLessThan(1e-5);
      expect(maxTrainableDifference(randomStart, original)).toBeGreaterThan(0.01);
    } finally {
      [after, original, randomStart].forEach((model) => model.dispose());
    }
  });

  it("refuses weights that changed since the run was created, and a network they do not fit", async () => {
    const copy = join(work.path, "copied-weights");
    cpSync(sourceBest, copy, { recursive: true });
    const initFrom = resolveInitFrom(copy, runsDirectory, work.path);
    const bytes = readFileSync(join(copy, "weights.bin"));
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(join(copy, "weights.bin"), bytes);
    const model = buildSeededNetwork(source);
    expect(() => loadInitWeights(initFrom, model)).toThrowError(/changed since the run was created/);
    model.dispose();

    const wider: TrainConfig = {
      ...source,
      network: { ...source.network, blockWidths: [6, 8] } as TrainConfig["network"],
      initFrom: resolveInitFrom(sourceRunId, runsDirectory, work.path),
    };
    let caught: unknown;
    try {
      await trainRun(wider, "wrong-network");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe("MODEL_INVALID");
  });
});
