import { EMOTIONS } from "@moodlens/shared";
import { toModelInput, tf } from "@moodlens/model";

const CLASSES = EMOTIONS.length;

/** Mean cross-entropy of probabilities against labels (no smoothing, no weights): the validation loss. */
export function crossEntropy(probabilities: Float32Array, labels: Uint8Array): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++)
    total -= Math.log(Math.max(probabilities[i * CLASSES + labels[i]!]!, 1e-7));
  return total / Math.max(1, labels.length);
}

/**
 * The training loss of one batch (or one part of it): cross-entropy against label-smoothed one-hot targets (or the
 * given soft `targets`, distillation's), weighted per class by label, summed and divided by `normalizer` (the FULL
 * batch size, so the parts of a data-parallel batch add up to the whole), plus the network's L2 terms when
 * `withRegularization` (once per batch).
 */
export function batchLoss(
  model: tf.LayersModel,
  input: tf.Tensor4D,
  labelTensor: tf.Tensor1D,
  classWeightTensor: tf.Tensor1D,
  smoothing: number,
  normalizer: number,
  withRegularization: boolean,
  softTargets?: tf.Tensor2D,
): { loss: tf.Scalar; correct: tf.Scalar } {
  const probabilities = model.apply(input, { training: true }) as tf.Tensor2D;
  const targets =
    softTargets ??
    tf
      .oneHot(labelTensor, CLASSES)
      .toFloat()
      .mul(1 - smoothing)
      .add(smoothing / CLASSES);
  const logProbabilities = tf.log(tf.clipByValue(probabilities, 1e-7, 1));
  const perSample = tf.neg(tf.sum(tf.mul(targets, logProbabilities), 1));
  const sampleWeights = tf.gather(classWeightTensor, labelTensor);
  let loss = tf.div(tf.sum(tf.mul(perSample, sampleWeights)), normalizer) as tf.Scalar;
  if (withRegularization)
    for (const regularization of model.calculateLosses()) loss = tf.add(loss, regularization);
  const correct = tf.sum(tf.equal(tf.argMax(probabilities, 1), labelTensor).toInt()) as tf.Scalar;
  return { loss, correct };
}

/** Distillation's soft targets [count * 7] as the tensor batchLoss takes, or undefined for the labels' own. */
export function softTargetTensor(targets: Float32Array | undefined, count: number): tf.Tensor2D | undefined {
  return targets ? tf.tensor2d(targets, [count, CLASSES]) : undefined;
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
  targets?: Float32Array,
): { grads: Record<string, tf.Tensor>; loss: number; correct: number } {
  const input = toModelInput(crops);
  const labelTensor = tf.tensor1d(labels, "int32");
  const targetTensor = softTargetTensor(targets, labels.length);
  let correct = 0;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const result = batchLoss(
        model,
        input,
        labelTensor,
        classWeightTensor,
        smoothing,
        normalizer,
        withRegularization,
        targetTensor,
      );
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
    targetTensor?.dispose();
  }
}
