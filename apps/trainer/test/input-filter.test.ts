import { copyFileSync, readFileSync, readdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMOTIONS, type EvaluationReport } from "@moodlens/shared";
import {
  NO_INPUT_FILTER,
  loadModelArtifacts,
  selectBackend,
  type InputFilter,
  type tf,
} from "@moodlens/model";
import type { TrainConfig } from "../src/training/config";
import { createRun } from "../src/run/create-run";
import { executeRun, type RunOutcome } from "../src/run/execute-run";
import { readCheckpointPointer } from "../src/run/run-files";
import { loadOrImport } from "../src/dataset/load";
import { cacheNameFor, subsetLabels, type Subset } from "../src/dataset/cache";
import { predictProbabilities } from "../src/evaluation/predict";
import { evaluateModel } from "../src/evaluation/evaluate";
import { calibrationOf } from "@moodlens/model/calibration";
import { copyFerSubset, fileDigestsOf, runCli, tempDirectory } from "./helpers";
import { TINY_CONFIG } from "./tiny-config";

/**
 * The model input filter through the trainer: recorded in metadata.json, applied to validation during training,
 * applied by `evaluate` (and overridable there). Sharp FER-2013 val crops through a sigma-2 Gaussian are a
 * different input, so every check below would see the difference if a step skipped the filter.
 */
const work = tempDirectory("input-filter");
const trainTree = join(work.path, "train");
const valTree = join(work.path, "val");
/** The first val images as they come, FER-2013's cross-split duplicates of the training images included. */
const valWithDuplicatesTree = join(work.path, "val-with-duplicates");
const cacheDirectory = join(work.path, "cache");
const runsDirectory = join(work.path, "runs");
const FILTER: InputFilter = { kind: "gaussian", sigma: 2 };
const CLASSES = EMOTIONS.length;
const quiet = () => {};

const config: TrainConfig = { ...TINY_CONFIG, seed: 13, inputFilter: FILTER };

let runDirectory: string;
let outcome: RunOutcome;
let val: Subset;
let model: tf.LayersModel;

/** The validation loss as the trainer computes it: mean cross-entropy, no smoothing. */
function crossEntropy(probabilities: Float32Array, labels: Uint8Array): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++)
    total -= Math.log(Math.max(probabilities[i * CLASSES + labels[i]!]!, 1e-7));
  return total / labels.length;
}

beforeAll(async () => {
  copyFerSubset("train", trainTree, 30);
  copyFerSubset("val", valTree, 8, { excludeCopiesOf: trainTree });
  copyFerSubset("val", valWithDuplicatesTree, 8);
  await selectBackend("wasm", { forTraining: true, logger: quiet });
  ({ runDirectory } = await createRun(
    {
      runsDirectory,
      runId: "filtered",
      experiment: "input-filter",
      config,
      dataPath: trainTree,
      valPath: valTree,
    },
    { cacheDirectory, log: quiet },
  ));
  outcome = await executeRun(runDirectory, { cacheDirectory, log: quiet, progress: false });
  const dataset = (await loadOrImport(valTree, { cacheDirectory })).dataset;
  val = { dataset, indices: Uint32Array.from({ length: dataset.manifest.count }, (_, i) => i) };
  model = (await loadModelArtifacts(join(runDirectory, "model"))).model;
});
afterAll(() => {
  model?.dispose();
  work.remove();
});

describe("a run with an input filter", () => {
  it("records the filter in the model's metadata.json", async () => {
    expect(outcome.status).toBe("completed");
    const written = JSON.parse(readFileSync(join(runDirectory, "model", "metadata.json"), "utf8")) as {
      inputFilter?: unknown;
    };
    expect(written.inputFilter).toEqual(FILTER);
    const { model: loaded, metadata } = await loadModelArtifacts(join(runDirectory, "model"));
    loaded.dispose();
    expect(metadata.inputFilter).toEqual(FILTER);
  });

  it("validates through the filter: the best epoch's val loss and accuracy are those of the filtered val crops", () => {
    const pointer = readCheckpointPointer(runDirectory)!;
    const best = outcome.journal[pointer.trainer.bestEpoch! - 1]!;
    const labels = subsetLabels(val);
    const filtered = predictProbabilities(model, val, { inputFilter: FILTER });
    const plain = predictProbabilities(model, val);
    expect(best.valLoss).toBeCloseTo(crossEntropy(filtered, labels), 6);
    expect(Math.abs(best.valLoss - crossEntropy(plain, labels))).toBeGreaterThan(1e-4);
    expect(best.valAccuracy).toBe(evaluateModel(model, val, { inputFilter: FILTER }).accuracy);
    // The final evaluation (temperature fit, metadata metrics) used the filter too.
    expect(outcome.evaluation!.report.accuracy).toBe(best.valAccuracy);
    expect(outcome.evaluation!.report.ece).toBeCloseTo(
      evaluateModel(model, val, { inputFilter: FILTER }).ece,
      10,
    );
  });
});

describe("evaluate --json on a folder", () => {
  const env = () => ({
    DATABASE_URL: "",
    MOODLENS_DATA_DIR: join(work.path, "data"),
    MOODLENS_CACHE_DIR: cacheDirectory,
    MOODLENS_RUNS_DIR: runsDirectory,
  });
  it("reports the evaluation images that are in the model's training data, with the accuracy on the rest", async () => {
    const trainDigests = fileDigestsOf(trainTree);
    const duplicates = [...fileDigestsOf(valWithDuplicatesTree)].filter((digest) =>
      trainDigests.has(digest),
    ).length;
    const total = readdirSync(valWithDuplicatesTree).reduce(
      (sum, folder) => sum + readdirSync(join(valWithDuplicatesTree, folder)).length,
      0,
    );
    // The fixture must hold FER-2013's cross-split duplicates, else this test checks nothing.
    expect(duplicates).toBeGreaterThan(0);
    const result = await runCli(
      ["evaluate", "--data", valWithDuplicatesTree, "--model", runDirectory, "--json"],
      env(),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/overlap check: comparing with the \d+ training images of run filtered/);
    expect(result.stderr).toContain(`note: ${duplicates} evaluation images`);
    const report = JSON.parse(result.stdout) as EvaluationReport;
    expect(report.trainingOverlap).toMatchObject({ images: duplicates, share: duplicates / total });
    expect(report.trainingOverlap!.heldOutAccuracy).toBeGreaterThanOrEqual(0);
    // The held-out figure is the accuracy of the same model on the folder without the duplicates.
    const heldOut = await runCli(["evaluate", "--data", valTree, "--model", runDirectory, "--json"], env());
    expect(heldOut.code, heldOut.stderr).toBe(0);
    expect((JSON.parse(heldOut.stdout) as EvaluationReport).trainingOverlap).toBeUndefined();

    // Checked once per pair of datasets: with the training data gone, the next evaluation still knows the answer.
    const trainCache = join(cacheDirectory, cacheNameFor(trainTree, "folder"));
    renameSync(trainTree, `${trainTree}.away`);
    renameSync(trainCache, `${trainCache}.away`);
    try {
      const again = await runCli(
        ["evaluate", "--data", valWithDuplicatesTree, "--model", runDirectory, "--json"],
        env(),
      );
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain(
        `overlap check: ${duplicates} of these images are in the training data of run filtered (checked before`,
      );
      expect((JSON.parse(again.stdout) as EvaluationReport).trainingOverlap?.images).toBe(duplicates);
    } finally {
      renameSync(`${trainTree}.away`, trainTree);
      renameSync(`${trainCache}.away`, trainCache);
    }
  });

  it("refuses a folder that is mostly the model's training images", async () => {
    const mostlyTraining = join(work.path, "mostly-training");
    copyFerSubset("train", mostlyTraining, 30);
    copyFerSubset("val", join(work.path, "mostly-training-extra"), 2, { excludeCopiesOf: trainTree });
    for (const folder of readdirSync(join(work.path, "mostly-training-extra")))
      for (const file of readdirSync(join(work.path, "mostly-training-extra", folder)))
        copyFileSync(
          join(work.path, "mostly-training-extra", folder, file),
          join(mostlyTraining, folder, file),
        );
    const refused = await runCli(
      ["evaluate", "--data", mostlyTraining, "--model", runDirectory, "--json"],
      env(),
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/were in the model's training data/);
    expect(refused.stdout).toBe("");
    const allowed = await runCli(
      ["evaluate", "--data", mostlyTraining, "--model", runDirectory, "--json", "--allow-training-data"],
      env(),
    );
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  const evaluate = async (extra: string[]): Promise<EvaluationReport> => {
    const result = await runCli(
      ["evaluate", "--data", valTree, "--model", runDirectory, "--json", ...extra],
      env(),
    );
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as EvaluationReport;
  };
  const same = (cli: EvaluationReport, computed: EvaluationReport) => {
    expect(cli.confusion).toEqual(computed.confusion);
    expect(cli.accuracy).toBe(computed.accuracy);
    expect(cli.ece).toBeCloseTo(computed.ece, 10);
    expect(cli.eceAfterTemperature).toBeCloseTo(computed.eceAfterTemperature!, 10);
  };

  it("applies the model's recorded filter, and --input-filter none turns it off", async () => {
    const { metadata } = await loadModelArtifacts(join(runDirectory, "model")).then(
      (loaded) => (loaded.model.dispose(), loaded),
    );
    const calibration = calibrationOf(metadata);
    const withFilter = evaluateModel(model, val, { calibration, inputFilter: FILTER });
    const without = evaluateModel(model, val, {
      calibration,
      inputFilter: NO_INPUT_FILTER,
    });
    // The fixture is one where the filter matters (else the checks below could not tell the two apart).
    expect(Math.abs(withFilter.ece - without.ece)).toBeGreaterThan(1e-6);

    const recorded = await evaluate([]);
    same(recorded, withFilter);
    expect(recorded.accuracy).toBe(metadata.metrics.valAccuracy);

    const overridden = await evaluate(["--input-filter", "none"]);
    same(overridden, without);
    expect(overridden.ece).not.toBeCloseTo(recorded.ece, 6);
  });
});
