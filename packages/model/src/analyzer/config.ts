import { AppError } from "@moodlens/shared";
import { BACKEND_PREFERENCES, type BackendPreference } from "../backend";
import { DETECTOR_DEFAULTS, type FaceDetectorConfig } from "../detect";
import { DEFAULT_FACE_MARGIN, DEFAULT_MAX_INPUT_PIXELS } from "../preprocess";

export const CLASSIFIER_KINDS = ["auto", "onnx", "tfjs"] as const;
export type ClassifierKind = (typeof CLASSIFIER_KINDS)[number];

export interface FaceAnalyzerConfig {
  /** Directory with model.json + weights.bin + metadata.json (+ model.onnx). Default: DEFAULT_MODEL_DIR (artifacts/served-model.ts). */
  modelDir?: string;
  /** tfjs backend (of the analyzer, its detector's and its saliency worker threads); default: auto. */
  backend?: BackendPreference;
  /** "auto": ONNX when model.onnx exists and onnxruntime loads, else tfjs. */
  classifier?: ClassifierKind;
  detector?: FaceDetectorConfig;
  /** Context around each detected face, as a fraction of its box side (see cropFace). */
  margin?: number;
  /** Average each face's prediction with its mirror image's (2x classification cost). */
  tta?: boolean;
  /** Decompression-bomb guard for analyze(). */
  maxInputPixels?: number;
  /** Receives one-line notes (backend choice, classifier fallback); default: silent. */
  logger?: (line: string) => void;
}

export const ANALYZER_DEFAULTS = {
  classifier: "auto" as ClassifierKind,
  margin: DEFAULT_FACE_MARGIN,
  tta: false,
  maxInputPixels: DEFAULT_MAX_INPUT_PIXELS,
};

/** Checks the config before anything is loaded, listing every problem at once. */
export function validateAnalyzerConfig(config: FaceAnalyzerConfig): void {
  const problems: string[] = [];
  if (
    config.modelDir !== undefined &&
    (typeof config.modelDir !== "string" || config.modelDir.trim() === "")
  ) {
    problems.push("modelDir must be a non-empty path");
  }
  if (config.backend !== undefined && !(BACKEND_PREFERENCES as readonly string[]).includes(config.backend)) {
    problems.push(`backend must be one of ${BACKEND_PREFERENCES.join(", ")}`);
  }
  if (
    config.classifier !== undefined &&
    !(CLASSIFIER_KINDS as readonly string[]).includes(config.classifier)
  ) {
    problems.push(`classifier must be one of ${CLASSIFIER_KINDS.join(", ")}`);
  }
  if (
    config.margin !== undefined &&
    !(Number.isFinite(config.margin) && config.margin >= 0 && config.margin <= 2)
  ) {
    problems.push("margin must be between 0 and 2");
  }
  if (config.tta !== undefined && typeof config.tta !== "boolean") problems.push("tta must be a boolean");
  if (
    config.maxInputPixels !== undefined &&
    !(Number.isInteger(config.maxInputPixels) && config.maxInputPixels > 0)
  ) {
    problems.push("maxInputPixels must be a positive integer");
  }
  const unknownDetectorKeys = Object.keys(config.detector ?? {}).filter(
    (key) => !(key in DETECTOR_DEFAULTS) && key !== "modelPath" && key !== "workerBackend",
  );
  if (unknownDetectorKeys.length > 0)
    problems.push(`unknown detector settings: ${unknownDetectorKeys.join(", ")}`);
  if (problems.length > 0) {
    throw new AppError("CONFIG_INVALID", `invalid face analyzer configuration: ${problems.join("; ")}`);
  }
}
