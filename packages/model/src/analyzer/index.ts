// The public face of the package: image in, per-face emotions (and explanations) out.
export { createFaceAnalyzer, type FaceAnalyzer } from "./analyzer";
export { ANALYZER_DEFAULTS, CLASSIFIER_KINDS, type ClassifierKind, type FaceAnalyzerConfig } from "./config";
// The shipped model's directory belongs to the served-model rule; re-exported where analyzer users look for it.
export { DEFAULT_MODEL_DIR } from "../artifacts";
export { describeEngines } from "./engines";
export { CLASSIFY_BATCH, createTfjsClassifier, type EmotionClassifier } from "./classifier";
export type { AnalysisResult, AnalyzeOptions, AnalyzedFace, AnalyzerInfo, ModelInfo } from "./types";
