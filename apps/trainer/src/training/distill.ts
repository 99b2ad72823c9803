import { EMOTIONS } from "@moodlens/shared";

const CLASSES = EMOTIONS.length;

/** What a distilling run's steps need: the teachers' probabilities per dataset sample and their share. */
export interface SoftLabels {
  /** [dataset size * 7]: row i belongs to the dataset's sample i (the batch's `indices` pick the rows). */
  probabilities: Float32Array;
  /** Share of the teachers' probabilities in every target, in (0, 1]. */
  weight: number;
}

/**
 * The batch's training targets [size * 7]: (1 − weight) · label-smoothed one-hot + weight · teacher row. Both parts
 * sum to 1, so every row does; with weight → 0 it is exactly the plain loss's smoothed one-hot target.
 */
export function distillationTargets(
  labels: Int32Array,
  indices: Uint32Array,
  smoothing: number,
  soft: SoftLabels,
): Float32Array {
  const targets = new Float32Array(labels.length * CLASSES);
  const { probabilities, weight } = soft;
  const off = smoothing / CLASSES;
  const on = 1 - smoothing + off;
  for (let n = 0; n < labels.length; n++) {
    const row = indices[n]! * CLASSES;
    for (let k = 0; k < CLASSES; k++) {
      const label = k === labels[n] ? on : off;
      targets[n * CLASSES + k] = (1 - weight) * label + weight * probabilities[row + k]!;
    }
  }
  return targets;
}
