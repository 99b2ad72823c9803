// The public face of the package: image in, per-face emotions (and explanations) out.
export { createFaceAnalyzer, type FaceAnalyzer } from "./analyzer";
export {
  ANALYZER_DEFAULTS,
  CLASSIFIER_KINDS,
  DEFAULT_MODEL_DIR,
  type ClassifierKind,
  type FaceAnalyzerConfig,
} from "./config";
export { applyTemperature } from "./calibration";
export { describeEngines } from "./engines";
export { CLASSIFY_BATCH, createTfjsClassifier, type EmotionClassifier } from "./classifier";
export type { AnalysisResult, AnalyzeOptions, AnalyzedFace, AnalyzerInfo, ModelInfo } from "./types";
