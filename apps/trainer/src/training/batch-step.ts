import { toModelInput, tf } from "@moodlens/model";
import { PIXELS_PER_SAMPLE } from "../dataset/types";
import type { Batch } from "./batch";
import { distillationTargets, type SoftLabels } from "./distill";
import type { TrainingEngine } from "./engine";
import { batchLoss, localGradients, softTargetTensor } from "./loss";
import type { DataParallelHelper } from "./parallel";

/** What one optimisation step reports: the batch's summed loss (mean × size) and its correct predictions. */
export interface StepResult {
  lossSum: number;
  correct: number;
}

/** Everything a step needs besides the batch; the tensors and buffers live for one epoch. */
export interface StepContext {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
  classWeightTensor: tf.Tensor1D;
  nativeClassWeights: Float32Array;
  smoothing: number;
  /** Distillation's teacher probabilities: the targets mix them with the smoothed labels. */
  soft?: SoftLabels;
  seed: number;
  epoch: number;
  /** The buffer the batch's crops are views of (the native engine and the helper thread take raw pixels). */
  batchPixels: Uint8Array;
}

/** The batch's soft targets when the run distils, else undefined (the label-smoothed one-hot labels). */
function targetsOf(context: StepContext, batch: Batch): Float32Array | undefined {
  return context.soft
    ? distillationTargets(batch.labels, batch.indices, context.smoothing, context.soft)
    : undefined;
}

/** One step on the native engine, which holds its own copy of weights and optimizer during the epoch. */
export function nativeStep(
  engine: TrainingEngine,
  context: StepContext,
  batch: Batch,
  index: number,
  learningRate: number,
): StepResult {
  const { size, labels } = batch;
  const targets = targetsOf(context, batch);
  const result = engine.step({
    pixels: context.batchPixels.subarray(0, size * PIXELS_PER_SAMPLE),
    labels,
    ...(targets ? { targets } : {}),
    classWeights: context.nativeClassWeights,
    smoothing: context.smoothing,
    normalizer: size,
    seed: context.seed,
    epoch: context.epoch,
    batch: index,
    learningRate,
  });
  return { lossSum: result.loss * size, correct: result.correct };
}

/** One data-parallel step: the helper thread takes the second half of the batch with a copy of these weights. */
export async function parallelStep(
  parallel: DataParallelHelper,
  context: StepContext,
  batch: Batch,
  index: number,
): Promise<StepResult> {
  const { model, optimizer, variables, classWeightTensor, smoothing, epoch, batchPixels } = context;
  const { size, labels, crops } = batch;
  const half = Math.ceil(size / 2);
  const targets = targetsOf(context, batch);
  const classes = targets ? targets.length / size : 0;
  const remote = {
    epoch,
    batch: index,
    pixels: batchPixels.slice(half * PIXELS_PER_SAMPLE, size * PIXELS_PER_SAMPLE),
    labels: labels.slice(half),
    ...(targets ? { targets: targets.slice(half * classes) } : {}),
    normalizer: size,
  };
  const result = await parallel.step(model, remote, () =>
    localGradients(
      model,
      variables,
      crops.slice(0, half),
      labels.subarray(0, half),
      classWeightTensor,
      smoothing,
      size,
      true,
      targets?.subarray(0, half * classes),
    ),
  );
  optimizer.applyGradients(result.grads);
  tf.dispose(Object.values(result.grads));
  return { lossSum: result.loss * size, correct: result.correct };
}

/** One step of tfjs on this thread. */
export function tfjsStep(context: StepContext, batch: Batch): StepResult {
  const { model, optimizer, variables, classWeightTensor, smoothing } = context;
  const { size, labels, crops } = batch;
  const input = toModelInput(crops);
  const labelTensor = tf.tensor1d(labels, "int32");
  const targets = targetsOf(context, batch);
  const targetTensor = softTargetTensor(targets, size);
  let correct = 0;
  try {
    const cost = optimizer.minimize(
      () => {
        const result = batchLoss(
          model,
          input,
          labelTensor,
          classWeightTensor,
          smoothing,
          size,
          true,
          targetTensor,
        );
        correct = result.correct.dataSync()[0]!;
        return result.loss;
      },
      true,
      variables,
    );
    const lossSum = cost!.dataSync()[0]! * size;
    cost!.dispose();
    return { lossSum, correct };
  } finally {
    input.dispose();
    labelTensor.dispose();
    targetTensor?.dispose();
  }
}
