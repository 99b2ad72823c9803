import { AppError } from "@moodlens/shared";

/**
 * The calibration a model is served with: served probabilities = softmax(logits / temperature + classBias).
 * Models here end in softmax, and log p = logits - logsumexp(logits), so on probabilities this is
 * normalise(p^(1 / temperature) * exp(classBias)): it works on any engine's output without its logits.
 * The temperature sharpens or flattens every row alike (no decision changes); the class bias shifts decisions
 * toward the classes it raises (fitted so that no class is under-predicted; the trainer's `calibrate`).
 */
export interface ServedCalibration {
  /** Softmax temperature (1 = none). */
  temperature: number;
  /** Log-space offset per class, EMOTIONS order (absent = zeros). */
  classBias?: number[];
}

export const NO_CALIBRATION: ServedCalibration = { temperature: 1 };

/** Below this a probability counts as this (log of 0 is -Infinity; float32 softmax outputs reach 0). */
const PROBABILITY_FLOOR = 1e-12;

const hasBias = (calibration: { classBias?: readonly number[] | undefined }): boolean =>
  calibration.classBias !== undefined && calibration.classBias.some((offset) => offset !== 0);

export const isIdentityCalibration = (calibration: ServedCalibration): boolean =>
  calibration.temperature === 1 && !hasBias(calibration);

/** The calibration stored in a model's metadata.json (its `temperature` and optional `classBias`). */
export function calibrationOf(metadata: {
  temperature: number;
  classBias?: readonly number[] | undefined;
}): ServedCalibration {
  return hasBias(metadata)
    ? { temperature: metadata.temperature, classBias: [...metadata.classBias!] }
    : { temperature: metadata.temperature };
}

/**
 * The calibration that undoes `calibration`: from q = normalise(p^(1/T) e^b) back to p = normalise(q^T e^(-bT)).
 * For an engine whose graph already applies a calibration, so that every engine hands over plain softmax.
 */
export function inverseCalibration(calibration: ServedCalibration): ServedCalibration {
  const { temperature } = calibration;
  return hasBias(calibration)
    ? { temperature: 1 / temperature, classBias: calibration.classBias!.map((b) => -b * temperature) }
    : { temperature: 1 / temperature };
}

/** Throws CONFIG_INVALID unless the temperature is positive and the bias has `classes` finite numbers. */
export function validateCalibration(calibration: ServedCalibration, classes: number): void {
  if (!(calibration.temperature > 0) || !Number.isFinite(calibration.temperature))
    throw new AppError("CONFIG_INVALID", "calibration: temperature must be a positive number");
  const bias = calibration.classBias;
  if (bias !== undefined && (bias.length !== classes || !bias.every((b) => Number.isFinite(b)))) {
    throw new AppError("CONFIG_INVALID", `calibration: classBias must be ${classes} finite numbers`);
  }
}

/**
 * The one rule, on row `row` of `source` (rows of `classes` values) into the same row of `target`; computed in
 * float64 (`scratch`) whatever the target holds, so one-face and many-face results agree to the target's precision.
 */
function calibrateRow(
  source: ArrayLike<number>,
  target: { [index: number]: number },
  row: number,
  calibration: ServedCalibration,
  scratch: Float64Array,
): void {
  const classes = scratch.length;
  const offset = row * classes;
  const bias = calibration.classBias;
  let max = -Infinity;
  for (let c = 0; c < classes; c++) {
    const value =
      Math.log(Math.max(source[offset + c]!, PROBABILITY_FLOOR)) / calibration.temperature + (bias?.[c] ?? 0);
    scratch[c] = value;
    if (value > max) max = value;
  }
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    scratch[c] = Math.exp(scratch[c]! - max);
    sum += scratch[c]!;
  }
  for (let c = 0; c < classes; c++) target[offset + c] = scratch[c]! / sum;
}

/** Served probabilities of one face from its plain softmax row. */
export function applyCalibration(probabilities: ArrayLike<number>, calibration: ServedCalibration): number[] {
  const out = new Array<number>(probabilities.length);
  calibrateRow(probabilities, out, 0, calibration, new Float64Array(probabilities.length));
  return out;
}

/** Served probabilities of many faces: `probabilities` holds rows of `classes` plain softmax values. */
export function applyCalibrationToRows(
  probabilities: Float32Array,
  classes: number,
  calibration: ServedCalibration,
): Float32Array {
  const out = new Float32Array(probabilities.length);
  const scratch = new Float64Array(classes);
  const rows = probabilities.length / classes;
  for (let row = 0; row < rows; row++) calibrateRow(probabilities, out, row, calibration, scratch);
  return out;
}
