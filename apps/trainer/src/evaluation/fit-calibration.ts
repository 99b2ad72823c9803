import { EMOTIONS, type ClassBiasFitSummary, type Emotion } from "@moodlens/shared";
import { applyCalibrationToRows, type ServedCalibration } from "@moodlens/model/calibration";
import { Rng } from "../util/rng";
import { fitTemperature } from "./calibration";
import { fitClassBias } from "./class-bias";
import { argmaxRows, classificationMetrics, confusionMatrix, type ClassificationMetrics } from "./metrics";

const CLASSES = EMOTIONS.length;
/** The cross-fit's halves are always the same for the same data (a fixed seed), so its figures can be re-measured. */
export const CROSS_FIT_SEED = 2026_12_07;

export interface CalibrationFit {
  calibration: ServedCalibration;
  /** Set when a class bias was asked for: whether every class reached the floor on the fitted data. */
  reachedFloor?: boolean;
}

/**
 * Fits what a model is served with on some data (`probabilities`: the network's plain softmax rows): the
 * temperature (minimum NLL), then, when `minRecall` is given, the class bias on the temperature-scaled rows.
 */
export function fitServedCalibration(
  probabilities: Float32Array,
  labels: Uint8Array,
  options: { minRecall?: number } = {},
): CalibrationFit {
  const temperature = fitTemperature(probabilities, labels, CLASSES);
  if (options.minRecall === undefined) return { calibration: { temperature } };
  const scaled = applyCalibrationToRows(probabilities, CLASSES, { temperature });
  const { classBias, reachedFloor } = fitClassBias(scaled, labels, { minRecall: options.minRecall });
  const biased = classBias.some((offset) => offset !== 0);
  return { calibration: { temperature, ...(biased ? { classBias } : {}) }, reachedFloor };
}

/** The served decision of each row: argmax of the calibrated probabilities. */
export const servedDecisions = (probabilities: Float32Array, calibration: ServedCalibration): Uint8Array =>
  argmaxRows(applyCalibrationToRows(probabilities, CLASSES, calibration), CLASSES);

/** Two halves of the positions 0..n-1 with each class split evenly between them (seeded shuffle per class). */
export function stratifiedHalves(labels: Uint8Array, seed = CROSS_FIT_SEED): [Uint32Array, Uint32Array] {
  const halves: [number[], number[]] = [[], []];
  for (let label = 0; label < CLASSES; label++) {
    const members: number[] = [];
    labels.forEach((value, position) => value === label && members.push(position));
    Rng.derive(seed, "calibration-halves", label).shuffle(members);
    members.forEach((position, k) => halves[k % 2]!.push(position));
  }
  return [
    Uint32Array.from(halves[0].sort((a, b) => a - b)),
    Uint32Array.from(halves[1].sort((a, b) => a - b)),
  ];
}

function rowsAt(probabilities: Float32Array, positions: Uint32Array): Float32Array {
  const out = new Float32Array(positions.length * CLASSES);
  positions.forEach((position, k) =>
    out.set(probabilities.subarray(position * CLASSES, (position + 1) * CLASSES), k * CLASSES),
  );
  return out;
}

export interface CrossFit {
  /** The calibration fitted on each half. */
  folds: [ServedCalibration, ServedCalibration];
  /** Every image decided by the calibration fitted on the other half. */
  heldOut: ClassificationMetrics;
}

/** Fits on one stratified half and decides the other, both ways: what the fit is worth on data it never saw. */
export function crossFitCalibration(
  probabilities: Float32Array,
  labels: Uint8Array,
  options: { minRecall?: number; seed?: number } = {},
): CrossFit {
  const halves = stratifiedHalves(labels, options.seed);
  const predictions = new Uint8Array(labels.length);
  const fitOn = (positions: Uint32Array) =>
    fitServedCalibration(
      rowsAt(probabilities, positions),
      Uint8Array.from(positions, (position) => labels[position]!),
      options.minRecall === undefined ? {} : { minRecall: options.minRecall },
    ).calibration;
  const folds: [ServedCalibration, ServedCalibration] = [fitOn(halves[0]), fitOn(halves[1])];
  folds.forEach((calibration, fold) => {
    const other = halves[1 - fold]!;
    const decided = servedDecisions(rowsAt(probabilities, other), calibration);
    other.forEach((position, k) => (predictions[position] = decided[k]!));
  });
  return { folds, heldOut: classificationMetrics(confusionMatrix(labels, predictions)) };
}

/** The lowest recall over the classes present in the data. */
export const minimumRecall = (metrics: Pick<ClassificationMetrics, "perClass">): number =>
  Math.min(
    ...Object.values(metrics.perClass)
      .filter((m) => m.support > 0)
      .map((m) => m.recall),
  );

/** The report's record of a class bias fit: the floor, whether it was reached, the cross-fitted figures. */
export function classBiasFitSummary(
  probabilities: Float32Array,
  labels: Uint8Array,
  minRecall: number,
  reachedFloor: boolean,
): ClassBiasFitSummary {
  const { heldOut } = crossFitCalibration(probabilities, labels, { minRecall });
  return {
    minRecall,
    reachedFloor,
    crossFitted: {
      accuracy: heldOut.accuracy,
      macroF1: heldOut.macroF1,
      minRecall: minimumRecall(heldOut),
      recall: Object.fromEntries(EMOTIONS.map((e) => [e, heldOut.perClass[e].recall])) as Record<
        Emotion,
        number
      >,
    },
  };
}
