/**
 * Calibration: expected calibration error and fitting the temperature. Models here end in softmax, so we work on
 * log-probabilities; dividing them by T and renormalising is exactly softmax(logits / T). Applying a calibration
 * is @moodlens/model's (the one served rule); fitting one is the trainer's.
 */
import { applyCalibrationToRows } from "@moodlens/model/calibration";

export const ECE_BINS = 15;

/** ECE with equal-width confidence bins: Σ (bin share) · |accuracy(bin) − confidence(bin)|. */
export function expectedCalibrationError(
  probabilities: Float32Array,
  labels: ArrayLike<number>,
  classes: number,
  bins = ECE_BINS,
): number {
  const count = labels.length;
  if (count === 0) return 0;
  const binCount = new Array<number>(bins).fill(0);
  const binCorrect = new Array<number>(bins).fill(0);
  const binConfidence = new Array<number>(bins).fill(0);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (probabilities[i * classes + c]! > probabilities[i * classes + best]!) best = c;
    const confidence = probabilities[i * classes + best]!;
    const bin = Math.min(bins - 1, Math.floor(confidence * bins));
    binCount[bin]! += 1;
    binConfidence[bin]! += confidence;
    if (best === labels[i]) binCorrect[bin]! += 1;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (binCount[b] === 0) continue;
    ece +=
      (binCount[b]! / count) * Math.abs(binCorrect[b]! / binCount[b]! - binConfidence[b]! / binCount[b]!);
  }
  return ece;
}

export function negativeLogLikelihood(
  probabilities: Float32Array,
  labels: ArrayLike<number>,
  classes: number,
): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++)
    total -= Math.log(Math.max(probabilities[i * classes + labels[i]!]!, 1e-12));
  return labels.length > 0 ? total / labels.length : 0;
}

/**
 * Fits the temperature minimising validation NLL by golden-section search on log T in [ln 0.05, ln 20]:
 * one parameter, a smooth and unimodal objective, no gradients needed.
 */
export function fitTemperature(
  probabilities: Float32Array,
  labels: ArrayLike<number>,
  classes: number,
): number {
  const objective = (logT: number) =>
    negativeLogLikelihood(
      applyCalibrationToRows(probabilities, classes, { temperature: Math.exp(logT) }),
      labels,
      classes,
    );
  let low = Math.log(0.05);
  let high = Math.log(20);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let a = high - ratio * (high - low);
  let b = low + ratio * (high - low);
  let fa = objective(a);
  let fb = objective(b);
  for (let i = 0; i < 40; i++) {
    if (fa < fb) {
      high = b;
      b = a;
      fb = fa;
      a = high - ratio * (high - low);
      fa = objective(a);
    } else {
      low = a;
      a = b;
      fa = fb;
      b = low + ratio * (high - low);
      fb = objective(b);
    }
  }
  return Math.exp((low + high) / 2);
}
