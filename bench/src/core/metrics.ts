import { EMOTIONS, type Emotion } from "@moodlens/shared";
import { round } from "./stats";

export interface AccuracyReport {
  /** Top-1 accuracy on the sample. */
  fer2013Val: number;
  /** Unweighted mean of the per-class F1 scores (FER-2013 is imbalanced: disgust has 56 faces, happy 895). */
  macroF1: number;
  perClassRecall: Record<Emotion, number>;
  /** confusion[true][predicted], EMOTIONS order. */
  confusion: number[][];
  images: number;
}

export const argmax = (row: readonly number[]): number =>
  row.reduce((best, value, index) => (value > row[best]! ? index : best), 0);

export function scoreClassifications(
  labels: readonly number[],
  probabilities: readonly number[][],
): AccuracyReport {
  const classes = EMOTIONS.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  labels.forEach((label, index) => {
    confusion[label]![argmax(probabilities[index]!)]! += 1;
  });
  let correct = 0;
  const f1s: number[] = [];
  const perClassRecall = {} as Record<Emotion, number>;
  EMOTIONS.forEach((emotion, k) => {
    const truePositives = confusion[k]![k]!;
    correct += truePositives;
    const actual = confusion[k]!.reduce((sum, value) => sum + value, 0);
    const predicted = confusion.reduce((sum, row) => sum + row[k]!, 0);
    const recall = actual === 0 ? 0 : truePositives / actual;
    const precision = predicted === 0 ? 0 : truePositives / predicted;
    perClassRecall[emotion] = round(recall, 4);
    f1s.push(precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall));
  });
  return {
    fer2013Val: round(correct / labels.length, 4),
    macroF1: round(f1s.reduce((sum, value) => sum + value, 0) / classes, 4),
    perClassRecall,
    confusion,
    images: labels.length,
  };
}
