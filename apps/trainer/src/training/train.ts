import { EMOTIONS, type EpochLog } from "@moodlens/shared";
import type { NativeBatch } from "@moodlens/native";
import { NO_INPUT_FILTER, applyInputFilter, buildNetwork, toModelInput, tf, type InputFilter } from "@moodlens/model";
import { PIXELS_PER_SAMPLE } from "../dataset/types";
import { subsetLabels, type Subset } from "../dataset/cache";
import { classWeights } from "../dataset/split";
import { argmaxRows, classificationMetrics, confusionMatrix } from "../evaluation/metrics";
import { Rng, seedMathRandom } from "../util/rng";
import { augmentCrop } from "./augment";
import type { TrainConfig } from "./config";
import { ProgressBar, formatDuration } from "./progress";
import { DataParallelHelper } from "./parallel";
import { afterEpoch, initialScheduleState, learningRateAt, type ScheduleState } from "./schedule";

const CLASSES = EMOTIONS.length;
/** Batch size for validation/prediction passes (no gradients: larger batches are cheaper per image). */
export const PREDICT_BATCH = 256;

/** The shared epoch log plus what only the trainer reports: CPU cores kept busy during the epoch. */
export interface TrainerEpochLog extends EpochLog {
  cpuShare?: number;
}

/** Everything about a training that is not weights: checkpointed with them so a resume continues exactly. */
export interface TrainerState {
  /** Epochs completed (1-based count; the next epoch to run is epoch + 1). */
  epoch: number;
  journal: TrainerEpochLog[];
  schedule: ScheduleState;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  epochsWithoutBest: number;
  stoppedEarly: boolean;
  /** Wall-clock seconds spent in epochs so far, across sittings. */
  trainSeconds: number;
}

export const initialTrainerState = (config: TrainConfig): TrainerState => ({
  epoch: 0,
  journal: [],
  schedule: initialScheduleState(config.learningRate),
  bestValAccuracy: null,
  bestEpoch: null,
  epochsWithoutBest: 0,
  stoppedEarly: false,
  trainSeconds: 0,
});

export interface TrainingData {
  train: Subset;
  val: Subset;
}

/** One yielded epoch: the log plus whether this epoch is the best so far (the caller keeps those weights). */
export interface EpochResult {
  log: TrainerEpochLog;
  isBest: boolean;
  state: TrainerState;
}

export interface TrainerOptions {
  /** Progress bar on stderr (default true). */
  progress?: boolean;
  log?: (line: string) => void;
  /** Called between batches; lets the CLI stop cleanly or a test kill at a known point. */
  onBatch?: (epoch: number, batch: number, batches: number) => void | Promise<void>;
  /** 2 = data parallel: half of each batch on a helper thread (its own wasm instance, the second core). */
  workers?: number;
  /** Native training engine (@moodlens/native): runs the batches and validation; tfjs keeps the state between epochs. */
  engine?: TrainingEngine;
}

/** What the trainer needs from a native engine (implemented by @moodlens/native's NativeTrainingEngine). */
export interface TrainingEngine {
  loadFrom(model: tf.LayersModel, optimizer: tf.Optimizer): void;
  storeInto(model: tf.LayersModel, optimizer: tf.Optimizer): Promise<void>;
  step(batch: NativeBatch): { loss: number; correct: number };
  predict(crops: readonly Uint8Array[]): Float32Array;
  dispose(): void;
}

export function createOptimizer(config: TrainConfig): tf.Optimizer {
  return config.optimizer === "adam"
    ? tf.train.adam(config.learningRate)
    : tf.train.momentum(config.learningRate, config.momentum, true);
}

export function setOptimizerLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const target = optimizer as unknown as { setLearningRate?: (r: number) => void; learningRate: number };
  if (typeof target.setLearningRate === "function") target.setLearningRate(rate);
  else target.learningRate = rate;
}

/** Builds the network with initial weights drawn from the run's seed (tfjs initialisers use Math.random). */
export function buildSeededNetwork(config: TrainConfig): tf.LayersModel {
  const restore = seedMathRandom(Rng.derive(config.seed, "init"));
  try {
    return buildNetwork(config.network);
  } finally {
    restore();
  }
}

/** A crop mirrored left-right (test-time augmentation). */
function mirror(crop: Uint8Array): Uint8Array {
  const out = new Uint8Array(PIXELS_PER_SAMPLE);
  for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) out[y * 48 + x] = crop[y * 48 + 47 - x]!;
  return out;
}

export interface PredictOptions {
  batchSize?: number;
  /** Mean of the probabilities of each crop and its mirror image (flip TTA: twice the work, usually a bit better). */
  tta?: boolean;
  /** The model's input filter, applied to every crop first (as the analyzer does when serving). */
  inputFilter?: InputFilter;
  /** Computes the probabilities instead of model.predict (the native engine, holding the same weights). */
  classify?: (crops: readonly Uint8Array[]) => Float32Array;
}

/** Class probabilities for some samples, in batches; returns [n * 7] float32. */
export function predictProbabilities(model: tf.LayersModel, subset: Subset, options: PredictOptions = {}): Float32Array {
  const { batchSize = PREDICT_BATCH, tta = false, inputFilter = NO_INPUT_FILTER, classify } = options;
  const count = subset.indices.length;
  const out = new Float32Array(count * CLASSES);
  for (let start = 0; start < count; start += batchSize) {
    const end = Math.min(count, start + batchSize);
    const crops: Uint8Array[] = [];
    for (let i = start; i < end; i++) {
      const offset = subset.indices[i]! * PIXELS_PER_SAMPLE;
      crops.push(applyInputFilter(subset.dataset.pixels.subarray(offset, offset + PIXELS_PER_SAMPLE), inputFilter));
    }
    if (classify) {
      const plain = classify(crops);
      if (tta) {
        const mirrored = classify(crops.map(mirror));
        for (let i = 0; i < plain.length; i++) plain[i] = (plain[i]! + mirrored[i]!) / 2;
      }
      out.set(plain, start * CLASSES);
      continue;
    }
    const probabilities = tf.tidy(() => {
      const plain = model.predict(toModelInput(crops)) as tf.Tensor;
      if (!tta) return plain;
      const mirrored = model.predict(toModelInput(crops.map(mirror))) as tf.Tensor;
      return tf.div(tf.add(plain, mirrored), 2);
    });
    out.set(probabilities.dataSync() as Float32Array, start * CLASSES);
    probabilities.dispose();
  }
  return out;
}

/** Mean cross-entropy of probabilities against labels (no smoothing, no weights): the validation loss. */
function crossEntropy(probabilities: Float32Array, labels: Uint8Array): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) total -= Math.log(Math.max(probabilities[i * CLASSES + labels[i]!]!, 1e-7));
  return total / Math.max(1, labels.length);
}

/**
 * The training loss of one batch (or one part of it): cross-entropy against label-smoothed one-hot targets,
 * weighted per class, summed and divided by `normalizer` (the FULL batch size, so the parts of a data-parallel
 * batch add up to the whole), plus the network's L2 terms when `withRegularization` (once per batch).
 */
export function batchLoss(
  model: tf.LayersModel,
  input: tf.Tensor4D,
  labelTensor: tf.Tensor1D,
  classWeightTensor: tf.Tensor1D,
  smoothing: number,
  normalizer: number,
  withRegularization: boolean,
): { loss: tf.Scalar; correct: tf.Scalar } {
  const probabilities = model.apply(input, { training: true }) as tf.Tensor2D;
  const targets = tf.oneHot(labelTensor, CLASSES).toFloat().mul(1 - smoothing).add(smoothing / CLASSES);
  const logProbabilities = tf.log(tf.clipByValue(probabilities, 1e-7, 1));
  const perSample = tf.neg(tf.sum(tf.mul(targets, logProbabilities), 1));
  const sampleWeights = tf.gather(classWeightTensor, labelTensor);
  let loss = tf.div(tf.sum(tf.mul(perSample, sampleWeights)), normalizer) as tf.Scalar;
  if (withRegularization) for (const regularization of model.calculateLosses()) loss = tf.add(loss, regularization);
  const correct = tf.sum(tf.equal(tf.argMax(probabilities, 1), labelTensor).toInt()) as tf.Scalar;
  return { loss, correct };
}

/** Gradients of one part of a batch, keyed by variable name in `variables` order (the optimizer's order). */
export function localGradients(
  model: tf.LayersModel,
  variables: tf.Variable[],
  crops: Uint8Array[],
  labels: Int32Array,
  classWeightTensor: tf.Tensor1D,
  smoothing: number,
  normalizer: number,
  withRegularization = true,
): { grads: Record<string, tf.Tensor>; loss: number; correct: number } {
  const input = toModelInput(crops);
  const labelTensor = tf.tensor1d(labels, "int32");
  let correct = 0;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const result = batchLoss(model, input, labelTensor, classWeightTensor, smoothing, normalizer, withRegularization);
      correct = result.correct.dataSync()[0]!;
      return result.loss;
    }, variables);
    const loss = value.dataSync()[0]!;
    value.dispose();
    const ordered: Record<string, tf.Tensor> = {};
    for (const variable of variables) ordered[variable.name] = grads[variable.name]!;
    return { grads: ordered, loss, correct };
  } finally {
    input.dispose();
    labelTensor.dispose();
  }
}

/**
 * A training in progress: model, optimizer and state, advanced one epoch per iteration of `epochs()`.
 * Nothing here touches files or databases: the run layer checkpoints and records after each yielded epoch,
 * while the generator is paused, so what it saves is always one consistent epoch boundary.
 */
export class Trainer {
  readonly model: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  state: TrainerState;
  private readonly trainLabels: Uint8Array;
  private readonly valLabels: Uint8Array;
  private readonly weights: number[];

  constructor(
    readonly config: TrainConfig,
    readonly data: TrainingData,
    private readonly options: TrainerOptions = {},
    resume?: { model: tf.LayersModel; optimizer: tf.Optimizer; state: TrainerState },
  ) {
    this.model = resume?.model ?? buildSeededNetwork(config);
    this.optimizer = resume?.optimizer ?? createOptimizer(config);
    this.state = resume?.state ?? initialTrainerState(config);
    this.trainLabels = subsetLabels(data.train);
    this.valLabels = subsetLabels(data.val);
    this.weights = classWeights(this.trainLabels, config.classWeighting);
  }

  get finished(): boolean {
    return this.state.stoppedEarly || this.state.epoch >= this.config.epochs;
  }

  /** Runs the remaining epochs, yielding after each one. */
  async *epochs(): AsyncGenerator<EpochResult> {
    while (!this.finished) {
      const result = await this.runEpoch(this.state.epoch + 1);
      yield result;
    }
  }

  private async runEpoch(epoch: number): Promise<EpochResult> {
    const { config, data, model, optimizer } = this;
    const started = Date.now();
    const cpuStarted = process.cpuUsage();
    const count = data.train.indices.length;
    const batchSize = config.batchSize;
    const batches = Math.ceil(count / batchSize);
    const order = Rng.derive(config.seed, "shuffle", epoch).shuffle(Uint32Array.from(data.train.indices));
    const augmentRng = Rng.derive(config.seed, "augment", epoch);
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const progress = this.options.progress === false ? undefined : new ProgressBar(`epoch ${epoch}/${config.epochs}`, count);
    const batchPixels = new Uint8Array(batchSize * PIXELS_PER_SAMPLE);
    const classWeightTensor = tf.tensor1d(this.weights);
    const nativeClassWeights = Float32Array.from(this.weights);
    const smoothing = config.labelSmoothing;
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    let rate = config.learningRate;

    // Dropout masks come from Math.random: one seeded stream per epoch makes them reproducible across resumes.
    const restoreRandom = seedMathRandom(Rng.derive(config.seed, "dropout", epoch));
    const engine = this.options.engine;
    // The native engine takes this epoch's state from tfjs (after a resume or --init-from it holds nothing yet).
    engine?.loadFrom(model, optimizer);
    const parallel = !engine && (this.options.workers ?? 1) > 1 ? await this.parallelHelper() : undefined;
    try {
      for (let batch = 0; batch < batches; batch++) {
        const start = batch * batchSize;
        const size = Math.min(batchSize, count - start);
        const labels = new Int32Array(size);
        const crops: Uint8Array[] = [];
        for (let i = 0; i < size; i++) {
          const index = order[start + i]!;
          labels[i] = data.train.dataset.labels[index]!;
          const source = data.train.dataset.pixels.subarray(index * PIXELS_PER_SAMPLE, (index + 1) * PIXELS_PER_SAMPLE);
          const target = batchPixels.subarray(i * PIXELS_PER_SAMPLE, (i + 1) * PIXELS_PER_SAMPLE);
          if (config.augmentation) augmentCrop(source, target, config.augmentation, augmentRng);
          else target.set(source);
          crops.push(target);
        }
        rate = learningRateAt(config.schedule, this.state.schedule, config.learningRate, config.epochs, epoch - 1 + batch / batches);
        setOptimizerLearningRate(optimizer, rate);

        if (engine) {
          const result = engine.step({ pixels: batchPixels.subarray(0, size * PIXELS_PER_SAMPLE), labels, classWeights: nativeClassWeights, smoothing, normalizer: size, seed: config.seed, epoch, batch, learningRate: rate });
          lossSum += result.loss * size;
          correct += result.correct;
          seen += size;
          progress?.update(seen, `loss ${(lossSum / seen).toFixed(3)} acc ${(correct / seen).toFixed(3)} lr ${rate.toExponential(2)}`);
          // The native step is synchronous: without a turn of the event loop, SIGINT/SIGTERM handlers (and the
          // progress timer) would never run and a stop request would go unseen until the epoch ends.
          await new Promise<void>((resolve) => setImmediate(resolve));
          await this.options.onBatch?.(epoch, batch + 1, batches);
          continue;
        }
        const input = toModelInput(crops);
        const labelTensor = tf.tensor1d(labels, "int32");
        let batchCorrect = 0;
        let batchLossSum: number;
        if (parallel && size > 1) {
          // Data parallel: the helper thread takes the second half of the batch with a copy of these weights.
          const half = Math.ceil(size / 2);
          const result = await parallel.step(model, { epoch, batch, pixels: batchPixels.slice(half * PIXELS_PER_SAMPLE, size * PIXELS_PER_SAMPLE), labels: labels.slice(half), normalizer: size }, () =>
            localGradients(model, variables, crops.slice(0, half), labels.subarray(0, half), classWeightTensor, smoothing, size),
          );
          optimizer.applyGradients(result.grads);
          tf.dispose(Object.values(result.grads));
          batchLossSum = result.loss * size;
          batchCorrect = result.correct;
        } else {
          const cost = optimizer.minimize(
            () => {
              const { loss, correct } = batchLoss(model, input, labelTensor, classWeightTensor, smoothing, size, true);
              batchCorrect = correct.dataSync()[0]!;
              return loss;
            },
            true,
            variables,
          );
          batchLossSum = cost!.dataSync()[0]! * size;
          cost!.dispose();
        }
        lossSum += batchLossSum;
        input.dispose();
        labelTensor.dispose();
        correct += batchCorrect;
        seen += size;
        progress?.update(seen, `loss ${(lossSum / seen).toFixed(3)} acc ${(correct / seen).toFixed(3)} lr ${rate.toExponential(2)}`);
        await this.options.onBatch?.(epoch, batch + 1, batches);
      }
    } finally {
      restoreRandom();
      classWeightTensor.dispose();
    }
    const trainSeconds = (Date.now() - started) / 1000;
    // Back to tfjs before validation: the checkpoint after this epoch saves the tfjs model and optimizer.
    await engine?.storeInto(model, optimizer);

    const valProbabilities = predictProbabilities(model, data.val, {
      inputFilter: config.inputFilter ?? NO_INPUT_FILTER,
      ...(engine ? { classify: (crops: readonly Uint8Array[]) => engine.predict(crops) } : {}),
    });
    const valPredictions = argmaxRows(valProbabilities, CLASSES);
    const valMetrics = classificationMetrics(confusionMatrix(this.valLabels, valPredictions));
    const valLoss = crossEntropy(valProbabilities, this.valLabels);
    const seconds = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    // Share of ONE core this process kept busy (1.0 = a full core); divide by the core count for the machine share.
    const cpuShare = (cpu.user + cpu.system) / 1e6 / Math.max(1e-9, seconds);

    const log: TrainerEpochLog = {
      epoch,
      loss: lossSum / Math.max(1, seen),
      accuracy: correct / Math.max(1, seen),
      valLoss,
      valAccuracy: valMetrics.accuracy,
      valMacroF1: valMetrics.macroF1,
      learningRate: rate,
      seconds,
      imagesPerSec: seen / Math.max(1e-9, trainSeconds),
      cpuShare,
    };
    const previous = this.state;
    const isBest = previous.bestValAccuracy === null || log.valAccuracy > previous.bestValAccuracy;
    const epochsWithoutBest = isBest ? 0 : previous.epochsWithoutBest + 1;
    this.state = {
      epoch,
      journal: [...previous.journal, log],
      schedule: afterEpoch(config.schedule, previous.schedule, valLoss),
      bestValAccuracy: isBest ? log.valAccuracy : previous.bestValAccuracy,
      bestEpoch: isBest ? epoch : previous.bestEpoch,
      epochsWithoutBest,
      stoppedEarly: config.earlyStoppingPatience > 0 && epochsWithoutBest >= config.earlyStoppingPatience,
      trainSeconds: previous.trainSeconds + seconds,
    };
    const summary =
      `epoch ${epoch}/${config.epochs} loss ${log.loss.toFixed(4)} acc ${log.accuracy.toFixed(4)} ` +
        `val_loss ${valLoss.toFixed(4)} val_acc ${log.valAccuracy.toFixed(4)} val_f1 ${valMetrics.macroF1.toFixed(4)} ` +
        `lr ${rate.toExponential(2)} ${log.imagesPerSec.toFixed(1)} img/s cpu ${cpuShare.toFixed(2)} core ${formatDuration(seconds)}${isBest ? " *best" : ""}`;
    if (progress) progress.done(summary);
    else this.options.log?.(summary);
    return { log, isBest, state: this.state };
  }

  private helper: DataParallelHelper | undefined;

  private async parallelHelper(): Promise<DataParallelHelper> {
    this.helper ??= await DataParallelHelper.start(this.config, this.weights);
    return this.helper;
  }

  dispose(): void {
    void this.helper?.stop();
    this.options.engine?.dispose();
    this.model.dispose();
    this.optimizer.dispose();
  }
}

/**
 * The training as an async generator of epoch logs (epfml/disco style): `for await (const log of train(…))`.
 * For checkpointing between epochs use the Trainer class, which also exposes model, optimizer and state.
 */
export async function* train(config: TrainConfig, data: TrainingData, options: TrainerOptions = {}): AsyncGenerator<EpochLog> {
  const trainer = new Trainer(config, data, options);
  try {
    for await (const result of trainer.epochs()) yield result.log;
  } finally {
    trainer.dispose();
  }
}
