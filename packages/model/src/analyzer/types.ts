import type { FacePrediction } from "@moodlens/shared";
import type { BackendName } from "../backend";
import type { DetectOptions, SkippedFace } from "../detect";
import type { SaliencyMap } from "../explain";
import type { ImageFormat, InputFilter } from "../preprocess";

export interface AnalyzeOptions {
  /** Per-call detector overrides (minFaceSize, scoreThreshold, maxFaces, tiling). */
  detect?: DetectOptions;
  /** Also compute a saliency map per face (a gradient pass per face: slower). */
  explain?: boolean;
  /** Saliency for the first this-many faces only (the others get none); default: every face. */
  explainMaxFaces?: number;
  /** Override the analyzer's test-time augmentation for this call. */
  tta?: boolean;
}

export interface AnalyzedFace extends FacePrediction {
  landmarks: NonNullable<FacePrediction["landmarks"]>;
  saliency?: SaliencyMap;
}

export interface AnalysisResult {
  faces: AnalyzedFace[];
  /** Faces found but not classified (smaller than minFaceSize, or beyond maxFaces). */
  skipped: SkippedFace[];
  image: { width: number; height: number; format: ImageFormat };
  timings: { decodeMs: number; detectMs: number; classifyMs: number; explainMs?: number };
  model: ModelInfo;
}

export interface ModelInfo {
  runId: string;
  createdAt: string;
  architecture: string;
  temperature: number;
  /** Log-space offset per class added after the temperature (zeros when the model has none). */
  classBias: number[];
  /** Applied to every crop before classification (from metadata.json). */
  inputFilter: InputFilter;
  /** Which engine classifies: "onnx" (onnxruntime) or "tfjs". */
  classifier: "onnx" | "tfjs";
  /** The classifier's arithmetic: "int8" when onnxruntime serves the quantized graph (metadata.onnxQuantization). */
  precision: "int8" | "float32";
  /** How many networks the classifier averages (an ensemble, networks/ensemble.ts; 1 for a single network). */
  members: number;
  /** The tfjs backend (tfjs classifier, explanations, tfjs detector). */
  backend: BackendName;
  /** Which engine runs the face detector. */
  detector: "onnx" | "tfjs";
}

export interface AnalyzerInfo {
  modelDir: string;
  model: ModelInfo;
  metrics: Record<string, number>;
  /** Why ONNX was not used, when classifier was "auto" and it was not. */
  classifierFallbackReason?: string;
  detector: Record<string, unknown>;
  margin: number;
  tta: boolean;
}
