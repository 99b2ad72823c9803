import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvaluationReport } from "@moodlens/shared";
import { createFaceAnalyzer, readModelMetadata, selectBackend } from "@moodlens/model";
import { createRun } from "../src/run/create-run";
import { executeRun } from "../src/run/execute-run";
import { readEvaluation, readSpec } from "../src/run/run-files";
import { copyFerSubset, runCli, tempDirectory } from "./helpers";
import { TINY_CONFIG } from "./tiny-config";

/**
 * The class bias through the trainer: a run that asks for it (--min-recall, recorded in run.json) and `calibrate`
 * on a model folder; both write metadata.json and a model.onnx whose graph serves the same calibration.
 */
const work = tempDirectory("calibrate");
const trainTree = join(work.path, "train");
const valTree = join(work.path, "val");
const cacheDirectory = join(work.path, "cache");
const runsDirectory = join(work.path, "runs");
const quiet = () => {};
const MIN_RECALL = 0.2;
const env = () => ({
  DATABASE_URL: "",
  MOODLENS_DATA_DIR: join(work.path, "data"),
  MOODLENS_CACHE_DIR: cacheDirectory,
  MOODLENS_RUNS_DIR: runsDirectory,
});

let runDirectory: string;

beforeAll(async () => {
  copyFerSubset("train", trainTree, 30);
  copyFerSubset("val", valTree, 12, { excludeCopiesOf: trainTree });
  await selectBackend("wasm", { forTraining: true, logger: quiet });
  ({ runDirectory } = await createRun(
    {
      runsDirectory,
      runId: "biased",
      experiment: "calibrate",
      config: { ...TINY_CONFIG, seed: 21 },
      dataPath: trainTree,
      valPath: valTree,
      minRecall: MIN_RECALL,
    },
    { cacheDirectory, log: quiet },
  ));
  await executeRun(runDirectory, { cacheDirectory, log: quiet, progress: false });
});
afterAll(() => work.remove());

describe("class bias", () => {
  it("is fitted at the end of a run that asks for it, and recorded with its cross-fitted figures", async () => {
    expect(readSpec(runDirectory).minRecall).toBe(MIN_RECALL);
    const report = readEvaluation(runDirectory)!.report;
    expect(report.classBiasFit?.minRecall).toBe(MIN_RECALL);
    expect(report.classBiasFit?.crossFitted.accuracy).toBeGreaterThanOrEqual(0);
    const metadata = await readModelMetadata(join(runDirectory, "model"));
    expect(metadata.classBias).toEqual(report.classBias);
    expect(metadata.metrics.valAccuracy).toBe(report.accuracy);
    expect(metadata.metrics.valAccuracyCrossFitted).toBe(report.classBiasFit?.crossFitted.accuracy);
  });

  it("calibrate refits a model folder, writes metadata.json and model.onnx, and evaluate serves the new decision", async () => {
    const modelDir = join(work.path, "model-copy");
    cpSync(join(runDirectory, "model"), modelDir, { recursive: true });
    const before = await readModelMetadata(modelDir);
    const onnxBefore = readFileSync(join(modelDir, "model.onnx"));

    const dry = await runCli(
      ["calibrate", "--model", modelDir, "--data", valTree, "--min-recall", "0.3", "--dry-run"],
      env(),
    );
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/after \(cross-fitted\)/);
    expect(dry.stdout).toMatch(/recall fear/);
    expect(await readModelMetadata(modelDir)).toEqual(before);

    const result = await runCli(
      ["calibrate", "--model", modelDir, "--data", valTree, "--min-recall", "0.3", "--json"],
      env(),
    );
    expect(result.code, result.stderr).toBe(0);
    const { after } = JSON.parse(result.stdout) as { before: EvaluationReport; after: EvaluationReport };
    expect(after.classBiasFit?.minRecall).toBe(0.3);
    const written = await readModelMetadata(modelDir);
    expect(written.temperature).toBe(after.temperature);
    expect(written.classBias).toEqual(after.classBias);
    expect(written.metrics.classBiasMinRecall).toBe(0.3);
    expect(written.weightsSha256).toBe(before.weightsSha256);
    expect(written.runId).toBe(before.runId);
    // A new calibration is a new graph (its constants); the same calibration exports the same bytes.
    const calibrationOf = (m: typeof before) => JSON.stringify([m.temperature, m.classBias ?? null]);
    const changed = calibrationOf(written) !== calibrationOf(before);
    expect(readFileSync(join(modelDir, "model.onnx")).equals(onnxBefore)).toBe(!changed);

    const evaluated = await runCli(["evaluate", "--data", valTree, "--model", modelDir, "--json"], env());
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const served = JSON.parse(evaluated.stdout) as EvaluationReport;
    expect(served.accuracy).toBe(after.accuracy);
    expect(served.confusion).toEqual(after.confusion);
    expect(served.classBias).toEqual(after.classBias);

    // The re-exported graph holds the new calibration: the analyzer accepts it and serves through ONNX.
    const analyzer = await createFaceAnalyzer({ modelDir, classifier: "onnx" });
    await analyzer.dispose();
  });

  it("quantize serves the int8 graph, evaluate and calibrate measure it, and --remove restores the float graph", async () => {
    const modelDir = join(work.path, "model-int8");
    cpSync(join(runDirectory, "model"), modelDir, { recursive: true });
    const floatOnnx = readFileSync(join(modelDir, "model.onnx"));

    const quantized = await runCli(
      ["quantize", "--model", modelDir, "--data", trainTree, "--images", "70"],
      env(),
    );
    expect(quantized.code, quantized.stderr).toBe(0);
    const metadata = await readModelMetadata(modelDir);
    expect(metadata.onnxQuantization?.kind).toBe("int8");
    expect(metadata.onnxQuantization?.calibrationImages).toBe(70);
    expect(Object.keys(metadata.onnxQuantization?.activationRanges ?? {}).length).toBeGreaterThan(0);
    expect(readFileSync(join(modelDir, "model.onnx")).equals(floatOnnx)).toBe(false);
    const analyzer = await createFaceAnalyzer({ modelDir, classifier: "onnx" });
    await analyzer.dispose();

    const evaluated = await runCli(["evaluate", "--data", valTree, "--model", modelDir, "--json"], env());
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stderr).toMatch(/int8 graph/);
    const dry = await runCli(
      ["calibrate", "--model", modelDir, "--data", valTree, "--json", "--dry-run"],
      env(),
    );
    expect(dry.code, dry.stderr).toBe(0);
    const { before } = JSON.parse(dry.stdout) as { before: EvaluationReport };
    expect((JSON.parse(evaluated.stdout) as EvaluationReport).confusion).toEqual(before.confusion);

    const removed = await runCli(["quantize", "--model", modelDir, "--remove"], env());
    expect(removed.code, removed.stderr).toBe(0);
    expect((await readModelMetadata(modelDir)).onnxQuantization).toBeUndefined();
    expect(readFileSync(join(modelDir, "model.onnx")).equals(floatOnnx)).toBe(true);
  });

  it("ensemble writes one servable folder; a model with itself decides as the model alone", async () => {
    // The run's model without its class bias (a temperature never moves the argmax, a bias does).
    const member = join(work.path, "model-unbiased");
    cpSync(join(runDirectory, "model"), member, { recursive: true });
    expect((await runCli(["calibrate", "--model", member, "--data", valTree], env())).code).toBe(0);
    expect((await readModelMetadata(member)).classBias).toBeUndefined();
    const out = join(work.path, "ensemble");
    const made = await runCli(["ensemble", "--models", `${member},${member}`, "--out", out], env());
    expect(made.code, made.stderr).toBe(0);
    const metadata = await readModelMetadata(out);
    expect((metadata.hyperparameters.ensemble as unknown[]).length).toBe(2);
    expect(metadata.temperature).toBe(1);
    const alone = await runCli(["evaluate", "--data", valTree, "--model", member, "--json"], env());
    const together = await runCli(["evaluate", "--data", valTree, "--model", out, "--json"], env());
    expect(together.code, together.stderr).toBe(0);
    // Uncalibrated, it serves the plain softmax; the member its fitted temperature: the same decisions.
    expect((JSON.parse(together.stdout) as EvaluationReport).confusion).toEqual(
      (JSON.parse(alone.stdout) as EvaluationReport).confusion,
    );
    const analyzer = await createFaceAnalyzer({ modelDir: out, classifier: "onnx" });
    expect(analyzer.info.model.members).toBe(2);
    await analyzer.dispose();
    // Its members' training data is its own: evaluating on it is refused as for a single model.
    const onTraining = await runCli(["evaluate", "--data", trainTree, "--model", out, "--json"], env());
    expect(onTraining.code).not.toBe(0);
    expect(onTraining.stderr).toMatch(/trained on|in the model's training data/);
    const refused = await runCli(["ensemble", "--models", member, "--out", out], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/at least two models/);
  });

  it("calibrate refuses a floor that is not a share", async () => {
    const result = await runCli(
      ["calibrate", "--model", join(runDirectory, "model"), "--data", valTree, "--min-recall", "45"],
      env(),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--min-recall must be between 0 and 1/);
  });
});
