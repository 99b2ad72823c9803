import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, EMOTIONS } from "@moodlens/shared";
import { loadModelArtifacts, selectBackend } from "@moodlens/model";
import { createRun } from "../src/run/create-run";
import { executeRun } from "../src/run/execute-run";
import { readSpec } from "../src/run/run-files";
import { loadRunData } from "../src/run/run-data";
import { resolveTeacher, teacherProbabilities } from "../src/run/teachers";
import { predictProbabilities } from "../src/evaluation/predict";
import { distillationTargets } from "../src/training/distill";
import type { TrainConfig } from "../src/training/config";
import { copyFerSubset, tempDirectory } from "./helpers";
import { TINY_CONFIG } from "./tiny-config";

/** --distill-from: a run whose targets mix finished models' probabilities into the labels. */
const CLASSES = EMOTIONS.length;
const work = tempDirectory("distill");
const trainTree = join(work.path, "train");
const valTree = join(work.path, "val");
const cacheDirectory = join(work.path, "cache");
const runsDirectory = join(work.path, "runs");
const quiet = () => {};
const base: TrainConfig = { ...TINY_CONFIG, epochs: 1, augmentation: null, seed: 21 };
const TEACHER = "teacher-run";

async function trainRun(config: TrainConfig, runId: string) {
  const { runDirectory } = await createRun(
    { runsDirectory, runId, experiment: "distill", config, dataPath: trainTree, valPath: valTree },
    { cacheDirectory, log: quiet },
  );
  const outcome = await executeRun(runDirectory, { cacheDirectory, log: quiet, progress: false });
  return { runDirectory, outcome };
}

beforeAll(async () => {
  copyFerSubset("train", trainTree, 12);
  copyFerSubset("val", valTree, 4);
  await selectBackend("wasm", { forTraining: true, logger: quiet });
  await trainRun(base, TEACHER);
});
afterAll(() => work.remove());

describe("distillation targets", () => {
  it("mix the smoothed label and the teacher's row by the weight; every row sums to 1", () => {
    const probabilities = new Float32Array(3 * CLASSES);
    probabilities.set([0.7, 0, 0.1, 0.1, 0, 0.1, 0], 2 * CLASSES);
    probabilities.set([0, 0, 0, 1, 0, 0, 0], 0);
    const targets = distillationTargets(Int32Array.of(2, 3), Uint32Array.of(2, 0), 0.07, {
      probabilities,
      weight: 0.25,
    });
    // Sample 0: label fear (2), dataset row 2. Smoothed label: 0.93 + 0.01 on fear, 0.01 elsewhere.
    expect(targets[0]).toBeCloseTo(0.75 * 0.01 + 0.25 * 0.7, 6);
    expect(targets[2]).toBeCloseTo(0.75 * 0.94 + 0.25 * 0.1, 6);
    // Sample 1: label happy (3), dataset row 0, where the teacher agrees with the label.
    expect(targets[CLASSES + 3]).toBeCloseTo(0.75 * 0.94 + 0.25, 6);
    for (let n = 0; n < 2; n++) {
      const row = targets.subarray(n * CLASSES, (n + 1) * CLASSES);
      expect(row.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 6);
    }
  });
});

describe("--distill-from", () => {
  it("resolves a run id, a run folder and a model folder to the run's model, and refuses what is not one", () => {
    const byId = resolveTeacher(TEACHER, runsDirectory, work.path);
    expect(byId.source).toBe(join(runsDirectory, TEACHER, "model"));
    expect(byId.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(resolveTeacher(join(runsDirectory, TEACHER), runsDirectory, work.path)).toEqual(byId);
    expect(resolveTeacher(join(runsDirectory, TEACHER, "model"), runsDirectory, work.path)).toEqual(byId);
    expect(() => resolveTeacher("no-such-run", runsDirectory, work.path)).toThrowError(/no finished model/);
  });

  it("gives each training image the teachers' mean probabilities with its mirror image, keyed by dataset index", async () => {
    const teacher = resolveTeacher(TEACHER, runsDirectory, work.path);
    const { parts } = await loadRunData(
      {
        config: base,
        data: { train: { source: trainTree, kind: "folder" }, val: { source: valTree, kind: "folder" } },
      },
      { cacheDirectory },
    );
    const twice = await teacherProbabilities(
      { teachers: [teacher, teacher], weight: 0.5 },
      parts.train,
      quiet,
    );
    const { model } = await loadModelArtifacts(join(runsDirectory, TEACHER, "model"));
    const expected = predictProbabilities(model, parts.train, { tta: true });
    model.dispose();
    parts.train.indices.forEach((index, position) => {
      for (let k = 0; k < CLASSES; k++)
        expect(twice[index * CLASSES + k]).toBeCloseTo(expected[position * CLASSES + k]!, 4);
    });
  });

  it("trains on the mixed targets, records its teachers, and refuses a teacher that changed", async () => {
    const teacher = resolveTeacher(TEACHER, runsDirectory, work.path);
    const plain = await trainRun({ ...base, seed: 22 }, "plain");
    const distilled = await trainRun(
      { ...base, seed: 22, distillation: { teachers: [teacher], weight: 1 } },
      "distilled",
    );
    expect(readSpec(distilled.runDirectory).config.distillation).toEqual({ teachers: [teacher], weight: 1 });
    // Same seed, data and network: only the targets differ, so the training loss must too.
    const plainLoss = plain.outcome.journal[0]!.loss;
    const distilledLoss = distilled.outcome.journal[0]!.loss;
    expect(Math.abs(plainLoss - distilledLoss)).toBeGreaterThan(1e-4);

    const copy = join(work.path, "teacher-copy");
    cpSync(join(runsDirectory, TEACHER, "model"), copy, { recursive: true });
    const moved = resolveTeacher(copy, runsDirectory, work.path);
    const { runDirectory } = await createRun(
      {
        runsDirectory,
        runId: "changed-teacher",
        experiment: "distill",
        config: { ...base, distillation: { teachers: [moved], weight: 0.5 } },
        dataPath: trainTree,
        valPath: valTree,
      },
      { cacheDirectory, log: quiet },
    );
    const bytes = readFileSync(join(copy, "weights.bin"));
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(join(copy, "weights.bin"), bytes);
    let caught: unknown;
    try {
      await executeRun(runDirectory, { cacheDirectory, log: quiet, progress: false });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).message).toMatch(/changed since the run started/);
  });
});
