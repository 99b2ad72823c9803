import { EMOTIONS } from "@moodlens/shared";
import type { InputFilter, tf } from "@moodlens/model";
import type { Subset } from "../dataset/cache";
import { argmaxRows, classificationMetrics, confusionMatrix } from "../evaluation/metrics";
import { predictProbabilities } from "../evaluation/predict";
import type { TrainingEngine } from "./engine";
import { crossEntropy } from "./loss";

/** The validation figures of an epoch's log. */
export interface ValidationResult {
  valLoss: number;
  valAccuracy: number;
  valMacroF1: number;
}

/** Validates after an epoch, on the native engine when it trains (it holds the same weights as the model). */
export function validateEpoch(
  model: tf.LayersModel,
  val: Subset,
  valLabels: Uint8Array,
  inputFilter: InputFilter,
  engine: TrainingEngine | undefined,
): ValidationResult {
  const probabilities = predictProbabilities(model, val, {
    inputFilter,
    ...(engine ? { classify: (crops: readonly Uint8Array[]) => engine.predict(crops) } : {}),
  });
  const metrics = classificationMetrics(
    confusionMatrix(valLabels, argmaxRows(probabilities, EMOTIONS.length)),
  );
  return {
    valLoss: crossEntropy(probabilities, valLabels),
    valAccuracy: metrics.accuracy,
    valMacroF1: metrics.macroF1,
  };
}
