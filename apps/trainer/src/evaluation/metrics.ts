import { EMOTIONS, type ClassMetrics, type Emotion } from "@moodlens/shared";

/** Confusion matrix [true][predicted] from labels and argmax predictions. */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  classes = EMOTIONS.length,
): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]!]![predictions[i]!]! += 1;
  return matrix;
}

export interface ClassificationMetrics {
  accuracy: number;
  macroF1: number;
  perClass: Record<Emotion, ClassMetrics>;
  confusion: number[][];
}

/**
 * Accuracy, per-class precision/recall/F1 and macro-F1 from a confusion matrix. Macro-F1 averages over the
 * classes present in the data (support > 0), so a test tree without, say, disgust is not punished for it.
 */
export function classificationMetrics(confusion: number[][]): ClassificationMetrics {
  const classes = confusion.length;
  let correct = 0;
  let total = 0;
  const perClass = {} as Record<Emotion, ClassMetrics>;
  const f1s: number[] = [];
  for (let c = 0; c < classes; c++) {
    const truePositive = confusion[c]![c]!;
    const support = confusion[c]!.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, row) => sum + row[c]!, 0);
    correct += truePositive;
    total += support;
    const precision = predicted > 0 ? truePositive / predicted : 0;
    const recall = support > 0 ? truePositive / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[EMOTIONS[c]!] = { precision, recall, f1, support };
    if (support > 0) f1s.push(f1);
  }
  return {
    accuracy: total > 0 ? correct / total : 0,
    macroF1: f1s.length > 0 ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0,
    perClass,
    confusion,
  };
}

export function argmaxRows(probabilities: Float32Array, classes: number): Uint8Array {
  const count = probabilities.length / classes;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (probabilities[i * classes + c]! > probabilities[i * classes + best]!) best = c;
    out[i] = best;
  }
  return out;
}
