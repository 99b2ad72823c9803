import { AppError } from "@moodlens/shared";
import { NO_INPUT_FILTER, tf } from "@moodlens/model";
import { subsetLabels } from "../dataset/cache";
import type { TrainingData } from "../dataset/partition";
import { PIXELS_PER_SAMPLE } from "../dataset/types";
import { classWeights } from "../dataset/split";
import { ProgressBar } from "../util/progress";
import { Rng, seedMathRandom } from "../util/rng";
import { fillBatch } from "./batch";
import { nativeStep, parallelStep, tfjsStep, type StepContext, type StepResult } from "./batch-step";
import type { TrainConfig } from "./config";
import type { TrainingEngine } from "./engine";
import { batchProgress, epochSummary } from "./epoch-summary";
import { createOptimizer, setOptimizerLearningRate } from "./optimizer";
import { DataParallelHelper } from "./parallel";
import { learningRateAt } from "./schedule";
import { buildSeededNetwork } from "./seeded-network";
import {
  initialTrainerState,
  stateAfterEpoch,
  type EpochResult,
  type TrainerEpochLog,
  type TrainerState,
} from "./state";
import { validateEpoch } from "./validation";

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
  /**
   * The teachers' probabilities [dataset size * 7] of a distilling run (config.distillation), computed by the run
   * layer, which reads the teachers' files.
   */
  teacherProbabilities?: Float32Array;
}

/** Where a training starts from instead of a seeded random network: a checkpoint or --init-from weights. */
export interface TrainerStart {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  state: TrainerState;
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
  private helper: DataParallelHelper | undefined;

  constructor(
    readonly config: TrainConfig,
    readonly data: TrainingData,
    private readonly options: TrainerOptions = {},
    start?: TrainerStart,
  ) {
    this.model = start?.model ?? buildSeededNetwork(config);
    this.optimizer = start?.optimizer ?? createOptimizer(config);
    this.state = start?.state ?? initialTrainerState(config);
    this.trainLabels = subsetLabels(data.train);
    this.valLabels = subsetLabels(data.val);
    this.weights = classWeights(this.trainLabels, config.classWeighting);
    if (config.distillation && options.teacherProbabilities?.length !== data.train.dataset.labels.length * 7)
      throw new AppError(
        "CONFIG_INVALID",
        "a distilling run needs its teachers' probabilities for every image",
      );
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
    const batches = Math.ceil(count / config.batchSize);
    const order = Rng.derive(config.seed, "shuffle", epoch).shuffle(Uint32Array.from(data.train.indices));
    const augmentRng = Rng.derive(config.seed, "augment", epoch);
    const progress =
      this.options.progress === false ? undefined : new ProgressBar(`epoch ${epoch}/${config.epochs}`, count);
    const context: StepContext = {
      model,
      optimizer,
      variables: model.trainableWeights.map((weight) => weight.read() as tf.Variable),
      classWeightTensor: tf.tensor1d(this.weights),
      nativeClassWeights: Float32Array.from(this.weights),
      smoothing: config.labelSmoothing,
      ...(config.distillation && this.options.teacherProbabilities
        ? {
            soft: {
              probabilities: this.options.teacherProbabilities,
              weight: config.distillation.weight,
            },
          }
        : {}),
      seed: config.seed,
      epoch,
      batchPixels: new Uint8Array(config.batchSize * PIXELS_PER_SAMPLE),
    };
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
        const start = batch * config.batchSize;
        const filled = fillBatch(
          data.train,
          order,
          start,
          Math.min(config.batchSize, count - start),
          context.batchPixels,
          config.augmentation,
          augmentRng,
        );
        rate = learningRateAt(
          config.schedule,
          this.state.schedule,
          config.learningRate,
          config.epochs,
          epoch - 1 + batch / batches,
        );
        setOptimizerLearningRate(optimizer, rate);
        let step: StepResult;
        if (engine) step = nativeStep(engine, context, filled, batch, rate);
        else if (parallel && filled.size > 1) step = await parallelStep(parallel, context, filled, batch);
        else step = tfjsStep(context, filled);
        lossSum += step.lossSum;
        correct += step.correct;
        seen += filled.size;
        progress?.update(seen, batchProgress(lossSum, correct, seen, rate));
        // The native step is synchronous: without a turn of the event loop, SIGINT/SIGTERM handlers (and the
        // progress timer) would never run and a stop request would go unseen until the epoch ends.
        if (engine) await new Promise<void>((resolve) => setImmediate(resolve));
        await this.options.onBatch?.(epoch, batch + 1, batches);
      }
    } finally {
      restoreRandom();
      context.classWeightTensor.dispose();
    }
    const trainSeconds = (Date.now() - started) / 1000;
    // Back to tfjs before validation: the checkpoint after this epoch saves the tfjs model and optimizer.
    await engine?.storeInto(model, optimizer);

    const validation = validateEpoch(
      model,
      data.val,
      this.valLabels,
      config.inputFilter ?? NO_INPUT_FILTER,
      engine,
    );
    const seconds = (Date.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const log: TrainerEpochLog = {
      epoch,
      loss: lossSum / Math.max(1, seen),
      accuracy: correct / Math.max(1, seen),
      ...validation,
      learningRate: rate,
      seconds,
      imagesPerSec: seen / Math.max(1e-9, trainSeconds),
      // Share of ONE core this process kept busy (1.0 = a full core); divide by the core count for the machine share.
      cpuShare: (cpu.user + cpu.system) / 1e6 / Math.max(1e-9, seconds),
    };
    const result = stateAfterEpoch(config, this.state, log);
    this.state = result.state;
    const summary = epochSummary(log, config.epochs, result.isBest);
    if (progress) progress.done(summary);
    else this.options.log?.(summary);
    return result;
  }

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
