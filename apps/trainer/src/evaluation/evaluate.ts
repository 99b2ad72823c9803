import { EMOTIONS, type EvaluationReport } from "@moodlens/shared";
import type { InputFilter, tf } from "@moodlens/model";
import { subsetLabels, type Subset } from "../dataset/cache";
import { predictProbabilities } from "./predict";
import { applyTemperature, expectedCalibrationError, fitTemperature } from "./calibration";
import { argmaxRows, classificationMetrics, confusionMatrix } from "./metrics";

const CLASSES = EMOTIONS.length;

/** Builds the report from probabilities; `temperature` (if any) gives eceAfterTemperature. */
export function reportFromProbabilities(
  probabilities: Float32Array,
  labels: Uint8Array,
  options: { temperature?: number; skipped?: Record<string, number> } = {},
): EvaluationReport {
  const predictions = argmaxRows(probabilities, CLASSES);
  const metrics = classificationMetrics(confusionMatrix(labels, predictions));
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
  if (options.temperature !== undefined) {
    report.temperature = options.temperature;
    report.eceAfterTemperature = expectedCalibrationError(
      applyTemperature(probabilities, CLASSES, options.temperature),
      labels,
      CLASSES,
    );
  }
  return report;
}

/** Evaluates a model on some samples (argmax accuracy is unchanged by temperature; ECE is reported both ways). */
export function evaluateModel(
  model: tf.LayersModel,
  subset: Subset,
  options: {
    temperature?: number;
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

/** Validation evaluation at the end of a run: fits the temperature on the validation data and reports both ECEs. */
export function evaluateWithCalibration(
  model: tf.LayersModel,
  val: Subset,
  inputFilter?: InputFilter,
): EvaluationReport {
  const probabilities = predictProbabilities(model, val, inputFilter ? { inputFilter } : {});
  const labels = subsetLabels(val);
  const temperature = fitTemperature(probabilities, labels, CLASSES);
  return reportFromProbabilities(probabilities, labels, { temperature });
}
