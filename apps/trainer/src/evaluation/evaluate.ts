import { EMOTIONS, type EvaluationReport } from "@moodlens/shared";
import type { InputFilter, tf } from "@moodlens/model";
import { applyCalibrationToRows, type ServedCalibration } from "@moodlens/model/calibration";
import { subsetLabels, type Subset } from "../dataset/cache";
import { predictProbabilities } from "./predict";
import { expectedCalibrationError } from "./calibration";
import { classBiasFitSummary, fitServedCalibration } from "./fit-calibration";
import { argmaxRows, classificationMetrics, confusionMatrix } from "./metrics";

const CLASSES = EMOTIONS.length;

/**
 * Builds the report from the network's plain softmax rows. With a `calibration` (the model's temperature and
 * class bias) every figure is of what is served: accuracy, macro-F1, per-class figures and confusion of the
 * served decision, and eceAfterTemperature of the served probabilities; `ece` stays the plain softmax's.
 */
export function reportFromProbabilities(
  probabilities: Float32Array,
  labels: Uint8Array,
  options: { calibration?: ServedCalibration; skipped?: Record<string, number> } = {},
): EvaluationReport {
  const { calibration } = options;
  const served = calibration ? applyCalibrationToRows(probabilities, CLASSES, calibration) : probabilities;
  const metrics = classificationMetrics(confusionMatrix(labels, argmaxRows(served, CLASSES)));
  const report: EvaluationReport = {
    accuracy: metrics.accuracy,
    macroF1: metrics.macroF1,
    perClass: metrics.perClass,
    confusion: metrics.confusion,
    labels: [...EMOTIONS],
    skipped: options.skipped ?? {},
    ece: expectedCalibrationError(probabilities, labels, CLASSES),
    samples: labels.length,
  };
  if (calibration) {
    report.temperature = calibration.temperature;
    if (calibration.classBias) report.classBias = [...calibration.classBias];
    report.eceAfterTemperature = expectedCalibrationError(served, labels, CLASSES);
  }
  return report;
}

/** Evaluates a model on some samples as it is served with `calibration` (none: the plain softmax). */
export function evaluateModel(
  model: tf.LayersModel,
  subset: Subset,
  options: {
    calibration?: ServedCalibration;
    skipped?: Record<string, number>;
    tta?: boolean;
    inputFilter?: InputFilter;
  } = {},
): EvaluationReport {
  const probabilities = predictProbabilities(model, subset, {
    ...(options.tta ? { tta: true } : {}),
    ...(options.inputFilter ? { inputFilter: options.inputFilter } : {}),
  });
  return reportFromProbabilities(probabilities, subsetLabels(subset), options);
}

/**
 * Fits the served calibration on some labelled probabilities and reports the data as then served: the temperature
 * always; with `minRecall`, also the class bias, its cross-fitted figures in `classBiasFit`.
 */
export function calibratedReport(
  probabilities: Float32Array,
  labels: Uint8Array,
  options: { minRecall?: number; skipped?: Record<string, number> } = {},
): EvaluationReport {
  const fit = fitServedCalibration(probabilities, labels, options);
  const report = reportFromProbabilities(probabilities, labels, {
    calibration: fit.calibration,
    ...(options.skipped ? { skipped: options.skipped } : {}),
  });
  if (options.minRecall !== undefined)
    report.classBiasFit = classBiasFitSummary(probabilities, labels, options.minRecall, fit.reachedFloor!);
  return report;
}

/**
 * Validation evaluation at the end of a run: fits the temperature (and, with `minRecall`, the class bias) on the
 * validation data and reports it as served.
 */
export function evaluateWithCalibration(
  model: tf.LayersModel,
  val: Subset,
  inputFilter?: InputFilter,
  options: { minRecall?: number } = {},
): EvaluationReport {
  const probabilities = predictProbabilities(model, val, inputFilter ? { inputFilter } : {});
  return calibratedReport(probabilities, subsetLabels(val), options);
}
