// Public API of @moodlens/model: what the trainer, the API, the worker, the native engine and the bench import
// (issue 17: the root re-exported ~115 names, 28 were used). Each folder keeps its own index.ts for use inside
// the package; add a name here when a user outside needs it. Light subpaths: ./served-model, ./evaluation.

// The one TensorFlow.js instance, and which backend runs it.
export { tf } from "./tf";
export { parseBackendPreference, selectBackend, type BackendName, type BackendPreference } from "./backend";

// Networks (the trainer builds them; the bench and the native engine read their configs).
export {
  ARCHITECTURES,
  NETWORK_DEFAULTS,
  NUM_CLASSES,
  buildNetwork,
  mergeIntoEnsemble,
  resolveNetworkConfig,
  type Architecture,
  type DeepNetworkConfig,
  type NetworkConfig,
  type NetworkConfigInput,
} from "./networks";

// Model directories on disk, which one is served, and the ONNX export.
export {
  loadModelArtifacts,
  modelWeightsDigest,
  readModelMetadata,
  saveModelArtifacts,
  shardFileNames,
  WEIGHT_SHARD_BYTES,
  type LoadedModel,
  type ModelMetadata,
  type OnnxQuantization,
} from "./artifacts";
export { DEFAULT_MODEL_DIR, resolveServedModel, servedVersionName, type ServedModel } from "./artifacts";
export { createOnnxClassifier, exportOnnx, measureActivationRanges, type ExportOnnxOptions } from "./onnx";

// How a model's probabilities are served (temperature + class bias from metadata.json); also the light
// subpath ./calibration, for users that need no tfjs.
export {
  NO_CALIBRATION,
  applyCalibration,
  applyCalibrationToRows,
  calibrationOf,
  type ServedCalibration,
} from "./calibration";

// Image bytes -> model input: the one preprocessing path shared by trainer, API and bench.
export {
  INPUT_SIZE,
  NO_INPUT_FILTER,
  applyInputFilter,
  boxFrame,
  cropFace,
  cropFrame,
  decodeImage,
  describeInputFilter,
  faceFrame,
  inspectImage,
  mirrorCrop,
  parseInputFilter,
  preprocessCrop,
  toModelInput,
  validateInputFilter,
  type DecodedImage,
  type ImageInput,
  type InputFilter,
  type InspectedImage,
} from "./preprocess";

// Faces in a photo, and the analyzer: image in, per-face emotions (and explanations) out.
export { createFaceDetector, type DetectedFace, type FaceDetector, type FaceDetectorConfig } from "./detect";
export {
  createFaceAnalyzer,
  describeEngines,
  type AnalysisResult,
  type AnalyzeOptions,
  type AnalyzedFace,
  type AnalyzerInfo,
  type ClassifierKind,
  type FaceAnalyzer,
  type FaceAnalyzerConfig,
  type ModelInfo,
} from "./analyzer";
export { saliencyToDataUrl, type SaliencyMap } from "./explain";
