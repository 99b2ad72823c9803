import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { AppError, type EpochLog } from "@moodlens/shared";
import { saveModelArtifacts, selectBackend, type BackendPreference, type tf, type ModelMetadata } from "@moodlens/model";
import { selectTrainingEngine, type Precision } from "@moodlens/native";
import { fingerprintOf, sampleIndicesOfSplits, type Subset } from "../dataset/cache";
import { loadOrImport } from "../dataset/load";
import { reportPartition } from "../dataset/partition-report";
import { stratifiedSplit } from "../dataset/split";
import { PIXELS_PER_SAMPLE, type Dataset } from "../dataset/types";
import { evaluateWithCalibration } from "../evaluation/evaluate";
import { writeJsonAtomic } from "../util/atomic";
import { fromRecordedPath, toRecordedPath } from "../util/paths";
import { flattenParams, validateTrainConfig, type TrainConfig } from "./config";
import { readCheckpointPointer, restoreCheckpoint, saveCheckpoint, loadModelWeights } from "./checkpoint";
import {
  RUN_FILES,
  readSpec,
  readStatus,
  updateStatus,
  writeJournal,
  writeSpec,
  type DataReference,
  type RunSpec,
  type StoredEvaluation,
} from "./run-files";
import { loadInitWeights } from "./init-weights";
import { Trainer, buildSeededNetwork, createOptimizer, initialTrainerState, type TrainerState, type TrainingData } from "./train";

/** Records a run's progress somewhere durable besides its folder (the database); must never throw. */
export interface RunRecorder {
  /** Pushes whatever the run folder holds that the database lacks; returns a problem or undefined. */
  sync(runDirectory: string): Promise<string | undefined>;
}

export interface RunOptions {
  cacheDirectory: string;
  log?: (line: string) => void;
  progress?: boolean;
  recorder?: RunRecorder;
  /** Called between batches (tests use it to be killed at a known point). */
  onBatch?: (epoch: number, batch: number, batches: number) => void | Promise<void>;
  /** Stop after this many epochs in this sitting (the run stays resumable). */
  maxEpochsThisSitting?: number;
  /** 2 = data-parallel on two cores (a per-sitting choice: not part of the run's config). */
  workers?: number;
  /** Backend/engine preference (--backend; default env MOODLENS_BACKEND): "native" forces the oneDNN engine. */
  backend?: BackendPreference;
  /** Native engine: compute precision (default fp32) and data-parallel threads (default: every core). */
  precision?: Precision;
  nativeThreads?: number;
  /** The app's MOODLENS_NATIVE=off: report the native engine absent. */
  nativeDisabled?: boolean;
}

export interface NewRunInput {
  runsDirectory: string;
  runId?: string;
  experiment: string;
  name?: string;
  config: TrainConfig;
  dataPath: string;
  valPath?: string;
  publishTo?: string;
  register?: boolean;
}

/** Run ids sort by start time and stay unique across machines: 20261124-0612-3fa9c1. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 13);
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

export function codeVersion(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: dirname(new URL(import.meta.url).pathname), stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
    return sha || "unknown";
  } catch {
    return "unknown";
  }
}

function subsetFingerprint(dataset: Dataset, indices: Uint32Array): string {
  const pixels = new Uint8Array(indices.length * PIXELS_PER_SAMPLE);
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, i) => {
    pixels.set(dataset.pixels.subarray(index * PIXELS_PER_SAMPLE, (index + 1) * PIXELS_PER_SAMPLE), i * PIXELS_PER_SAMPLE);
    labels[i] = dataset.labels[index]!;
  });
  return fingerprintOf(pixels, labels, new Uint8Array(indices.length));
}

/**
 * The protocol: with explicit validation data, train on all non-test samples of `data` and validate on all
 * non-test samples of `val`; else use data's val split if it has one, else a stratified seeded split of its train
 * split. Test samples are never touched here (only `evaluate` reads them).
 */
export function partition(config: TrainConfig, data: Dataset, val: Dataset | null): TrainingData {
  if (val) {
    return {
      train: { dataset: data, indices: sampleIndicesOfSplits(data, ["train", "val"]) },
      val: { dataset: val, indices: sampleIndicesOfSplits(val, ["train", "val"]) },
    };
  }
  const ownVal = sampleIndicesOfSplits(data, ["val"]);
  if (ownVal.length > 0) {
    return { train: { dataset: data, indices: sampleIndicesOfSplits(data, ["train"]) }, val: { dataset: data, indices: ownVal } };
  }
  const split = stratifiedSplit(data, sampleIndicesOfSplits(data, ["train"]), config.valFraction, config.seed);
  return { train: { dataset: data, indices: split.train }, val: { dataset: data, indices: split.val } };
}

async function loadRunData(spec: Pick<RunSpec, "config"> & { data: { train: { source: string; kind: DataReference["kind"]; fingerprint?: string }; val: { source: string; kind: DataReference["kind"]; fingerprint?: string } | null } }, options: RunOptions) {
  const log = options.log ?? (() => {});
  const load = async (reference: { source: string; kind: DataReference["kind"]; fingerprint?: string }) => {
    const { dataset } = await loadOrImport(fromRecordedPath(reference.source), { kind: reference.kind, cacheDirectory: options.cacheDirectory, log });
    if (reference.fingerprint && dataset.manifest.fingerprint !== reference.fingerprint) {
      throw new AppError("DATASET_INVALID", `${reference.source} changed since the run started (fingerprint ${dataset.manifest.fingerprint.slice(0, 12)}… ≠ ${reference.fingerprint.slice(0, 12)}…)`, {
        hint: "restore the original data; a resumed run must see the same samples",
      });
    }
    return dataset;
  };
  const train = await load(spec.data.train);
  const val = spec.data.val ? await load(spec.data.val) : null;
  return { train, val, parts: partition(spec.config, train, val) };
}

/** Creates the run folder and its run.json; the training itself starts with executeRun. */
export async function createRun(input: NewRunInput, options: RunOptions): Promise<{ runId: string; runDirectory: string }> {
  const config = validateTrainConfig(input.config);
  const runId = input.runId ?? newRunId();
  const runDirectory = join(input.runsDirectory, runId);
  if (existsSync(join(runDirectory, RUN_FILES.spec))) {
    throw new AppError("CONFLICT", `run ${runId} already exists in ${input.runsDirectory}`, { hint: `resume it with --resume ${runId}` });
  }
  const kindOf = (path: string) => (existsSync(path) && !path.endsWith(".csv") ? "folder" : "csv") as DataReference["kind"];
  const data = await loadRunData(
    { config, data: { train: { source: input.dataPath, kind: kindOf(input.dataPath) }, val: input.valPath ? { source: input.valPath, kind: kindOf(input.valPath) } : null } },
    options,
  );
  reportPartition(data.parts, { train: toRecordedPath(input.dataPath), ...(input.valPath ? { val: toRecordedPath(input.valPath) } : {}) }, options.log ?? (() => {}));
  const backend = await selectBackend(options.backend, { forTraining: true, logger: options.log });
  mkdirSync(runDirectory, { recursive: true });
  const spec: RunSpec = {
    format: "moodlens-run/1",
    runId,
    experiment: input.experiment,
    ...(input.name ? { name: input.name } : {}),
    createdAt: new Date().toISOString(),
    config,
    data: {
      train: { source: toRecordedPath(input.dataPath), kind: data.train.manifest.source.kind, fingerprint: data.train.manifest.fingerprint, count: data.train.manifest.count },
      val: data.val && input.valPath ? { source: toRecordedPath(input.valPath), kind: data.val.manifest.source.kind, fingerprint: data.val.manifest.fingerprint, count: data.val.manifest.count } : null,
      trainFingerprint: subsetFingerprint(data.parts.train.dataset, data.parts.train.indices),
      valFingerprint: subsetFingerprint(data.parts.val.dataset, data.parts.val.indices),
      trainCount: data.parts.train.indices.length,
      valCount: data.parts.val.indices.length,
    },
    backend: backend.name,
    codeVersion: codeVersion(),
    ...(input.publishTo ? { publishTo: toRecordedPath(input.publishTo) } : {}),
    ...(input.register ? { register: true } : {}),
    host: { cpus: cpus().length, node: process.version },
  };
  writeSpec(runDirectory, spec);
  updateStatus(runDirectory, { status: "queued" });
  return { runId, runDirectory };
}

export interface RunOutcome {
  runId: string;
  status: "completed" | "paused";
  journal: EpochLog[];
  evaluation?: StoredEvaluation;
  metadata?: ModelMetadata;
  syncProblem?: string;
}

/** Raised from the batch hook when SIGINT/SIGTERM asked the run to stop; the last checkpoint stays valid. */
export class RunInterrupted extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
  }
}

/**
 * Runs (or resumes) a run from its folder: restores the committed checkpoint if any, trains the remaining epochs
 * with a checkpoint + journal + database sync after each, then finishes (best weights → evaluation with
 * temperature → model files). Safe to call again after a crash at any point: every step is idempotent.
 */
export async function executeRun(runDirectory: string, options: RunOptions): Promise<RunOutcome> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const spec = readSpec(runDirectory);
  const status = readStatus(runDirectory);
  if (status.status === "completed") {
    throw new AppError("CONFLICT", `run ${spec.runId} is already completed`, { hint: "start a new run, or `npm run trainer -- runs sync` to push its records" });
  }
  const backend = await selectBackend(options.backend, { forTraining: true, logger: log });
  const { parts } = await loadRunData(spec, options);
  const pointer = readCheckpointPointer(runDirectory);
  const engine = selectTrainingEngine({
    requested: options.backend ?? backend.requested,
    network: spec.config.network,
    tfjsBackend: backend.name,
    disabled: options.nativeDisabled,
    options: {
      precision: options.precision ?? "fp32",
      replicas: options.nativeThreads ?? cpus().length,
      threadsPerReplica: 1,
      optimizer: spec.config.optimizer,
      momentum: spec.config.momentum,
    },
    log,
  });
  const trainerOptions = { progress: options.progress, log, onBatch: options.onBatch, workers: options.workers, ...(engine ? { engine } : {}) };

  let trainer: Trainer;
  if (pointer) {
    const model = buildSeededNetwork(spec.config);
    const optimizer = createOptimizer(spec.config);
    await restoreCheckpoint(runDirectory, pointer, model, optimizer);
    trainer = new Trainer(spec.config, parts, trainerOptions, { model, optimizer, state: pointer.trainer });
    log(`resuming run ${spec.runId} after epoch ${pointer.epoch} (best val acc ${pointer.trainer.bestValAccuracy?.toFixed(4)} at epoch ${pointer.trainer.bestEpoch})`);
    // Whatever a kill left in the journal beyond the checkpoint is rewritten from the committed state.
    writeJournal(runDirectory, pointer.trainer.journal);
  } else {
    const initial = spec.config.initFrom ? initialWeightsFrom(spec.config) : undefined;
    trainer = new Trainer(spec.config, parts, trainerOptions, initial);
    log(`run ${spec.runId}: ${parts.train.indices.length} training / ${parts.val.indices.length} validation images, ${trainer.model.countParams()} parameters, ${spec.config.network.architecture}`);
    if (spec.config.initFrom) log(`initial weights from ${spec.config.initFrom.source} (sha256 ${spec.config.initFrom.weightsSha256.slice(0, 12)}…)`);
  }
  updateStatus(runDirectory, { status: "running" });
  let syncProblem = await sync(options, runDirectory, log);

  try {
    let epochsThisSitting = 0;
    if (!trainer.finished) {
      for await (const result of trainer.epochs()) {
        await saveCheckpoint(runDirectory, trainer.model, trainer.optimizer, result.state, result.isBest);
        writeJournal(runDirectory, result.state.journal);
        syncProblem = await sync(options, runDirectory, log);
        epochsThisSitting += 1;
        if (options.maxEpochsThisSitting !== undefined && epochsThisSitting >= options.maxEpochsThisSitting && !trainer.finished) {
          updateStatus(runDirectory, { status: "interrupted" });
          log(`paused after epoch ${result.state.epoch}; resume with --resume ${spec.runId}`);
          return { runId: spec.runId, status: "paused", journal: result.state.journal, ...(syncProblem ? { syncProblem } : {}) };
        }
      }
    }
    const finished = await finishRun(runDirectory, spec, trainer, parts, log);
    updateStatus(runDirectory, { status: "completed", finishedAt: new Date().toISOString() });
    syncProblem = await sync(options, runDirectory, log);
    return { runId: spec.runId, status: "completed", journal: trainer.state.journal, ...finished, ...(syncProblem ? { syncProblem } : {}) };
  } catch (error) {
    const interrupted = error instanceof RunInterrupted;
    updateStatus(runDirectory, { status: interrupted ? "interrupted" : "failed", error: error instanceof Error ? error.message : String(error) });
    await sync(options, runDirectory, log);
    throw error;
  } finally {
    trainer.dispose();
  }
}

/** A network of the run's architecture holding its recorded initial weights, with a fresh optimizer and state. */
function initialWeightsFrom(config: TrainConfig): { model: tf.LayersModel; optimizer: tf.Optimizer; state: TrainerState } {
  const model = buildSeededNetwork(config);
  try {
    loadInitWeights(config.initFrom!, model);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, optimizer: createOptimizer(config), state: initialTrainerState(config) };
}

async function sync(options: RunOptions, runDirectory: string, log: (line: string) => void): Promise<string | undefined> {
  if (!options.recorder) return undefined;
  const problem = await options.recorder.sync(runDirectory);
  if (problem) log(`database sync postponed (${problem}); the run continues and syncs later`);
  return problem;
}

/** Loads the best epoch's weights, evaluates with calibration on the validation data, writes the model files. */
async function finishRun(
  runDirectory: string,
  spec: RunSpec,
  trainer: Trainer,
  parts: TrainingData,
  log: (line: string) => void,
): Promise<{ evaluation: StoredEvaluation; metadata: ModelMetadata }> {
  const pointer = readCheckpointPointer(runDirectory);
  if (pointer?.best) loadModelWeights(join(runDirectory, pointer.best), trainer.model);
  const report = evaluateWithCalibration(trainer.model, parts.val, spec.config.inputFilter);
  const evaluation: StoredEvaluation = { split: "validation", data: spec.data.val?.source ?? `${spec.data.train.source} (held-out split)`, report, createdAt: new Date().toISOString() };
  writeJsonAtomic(join(runDirectory, RUN_FILES.evaluation), evaluation);
  log(
    `best epoch ${trainer.state.bestEpoch}: val accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macroF1.toFixed(4)}, ` +
      `ECE ${report.ece.toFixed(4)} → ${report.eceAfterTemperature?.toFixed(4)} at T=${report.temperature?.toFixed(3)}`,
  );
  const metadata = await writeModelFiles(join(runDirectory, RUN_FILES.model), trainer.model, spec, trainer.state, report, log);
  if (spec.publishTo) {
    const publishTo = fromRecordedPath(spec.publishTo);
    rmSync(publishTo, { recursive: true, force: true });
    mkdirSync(dirname(publishTo), { recursive: true });
    cpSync(join(runDirectory, RUN_FILES.model), publishTo, { recursive: true });
    log(`model files published to ${spec.publishTo}`);
  }
  return { evaluation, metadata };
}

async function writeModelFiles(
  directory: string,
  model: tf.LayersModel,
  spec: RunSpec,
  state: TrainerState,
  report: StoredEvaluation["report"],
  log: (line: string) => void,
  extraMetrics: Record<string, number> = {},
): Promise<ModelMetadata> {
  let onnx: Uint8Array | undefined;
  try {
    const onnxModule = (await import("@moodlens/model")) as unknown as { exportOnnx?: (m: tf.LayersModel) => Promise<Uint8Array> | Uint8Array };
    if (typeof onnxModule.exportOnnx === "function") onnx = await onnxModule.exportOnnx(model);
  } catch (error) {
    log(`ONNX export skipped: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { network, ...training } = spec.config;
  return saveModelArtifacts(
    model,
    directory,
    {
      architecture: network.architecture,
      ...(spec.config.inputFilter && spec.config.inputFilter.kind !== "none" ? { inputFilter: spec.config.inputFilter } : {}),
      hyperparameters: { network, ...flattenParams(training) },
      runId: spec.runId,
      datasetFingerprint: spec.data.trainFingerprint,
      metrics: {
        valAccuracy: report.accuracy,
        valMacroF1: report.macroF1,
        valEce: report.ece,
        ...(report.eceAfterTemperature !== undefined ? { valEceAfterTemperature: report.eceAfterTemperature } : {}),
        bestEpoch: state.bestEpoch ?? 0,
        epochs: state.epoch,
        trainSeconds: Math.round(state.trainSeconds),
        ...extraMetrics,
      },
      temperature: report.temperature ?? 1,
    },
    onnx ? { onnx } : {},
  );
}

/** Validation subset of a finished run, rebuilt from its spec (for `evaluate` guards and re-calibration). */
export async function runValidationSubset(runDirectory: string, options: RunOptions): Promise<Subset> {
  const { parts } = await loadRunData(readSpec(runDirectory), options);
  return parts.val;
}

/**
 * Model files from the best epoch so far of a run that is still going (or paused): evaluated and calibrated on
 * the run's validation data like a finished run, with `metrics.interim = 1`. Lets a long training ship its best
 * model between sittings; the run itself is not touched (read-only on its folder).
 */
export async function snapshotRun(runDirectory: string, target: string, options: RunOptions): Promise<ModelMetadata> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const spec = readSpec(runDirectory);
  const pointer = readCheckpointPointer(runDirectory);
  if (!pointer?.best) throw new AppError("MODEL_NOT_TRAINED", `run ${spec.runId} has no finished epoch yet`);
  await selectBackend(undefined, { logger: log });
  const { parts } = await loadRunData(spec, options);
  const model = buildSeededNetwork(spec.config);
  try {
    loadModelWeights(join(runDirectory, pointer.best), model);
    const report = evaluateWithCalibration(model, parts.val, spec.config.inputFilter);
    log(`snapshot of ${spec.runId} at best epoch ${pointer.trainer.bestEpoch}/${pointer.epoch}: val accuracy ${report.accuracy.toFixed(4)}, macro-F1 ${report.macroF1.toFixed(4)}, T=${report.temperature?.toFixed(3)}`);
    return await writeModelFiles(target, model, spec, pointer.trainer, report, log, { interim: 1 });
  } finally {
    model.dispose();
  }
}
