import { AppError, EMOTIONS, type Emotion } from "@moodlens/shared";
import type { Architecture } from "../networks";
import { validateInputFilter, type InputFilter } from "../preprocess/input-filter";

export const MODEL_FORMAT_VERSION = 1;
export const MODEL_FILES = {
  topology: "model.json",
  weights: "weights.bin",
  metadata: "metadata.json",
  onnx: "model.onnx",
} as const;

/** metadata.json: everything a consumer needs to use (and trust) the weights next to it. */
export interface ModelMetadata {
  formatVersion: typeof MODEL_FORMAT_VERSION;
  /** Softmax order; always EMOTIONS (checked on load). */
  labels: Emotion[];
  inputSize: 48;
  normalization: "divide255";
  /** Applied to every crop before the network (absent = none); see preprocess/input-filter.ts. */
  inputFilter?: InputFilter;
  architecture: Architecture;
  /** Network config + training hyperparameters (free-form, recorded for reproducibility). */
  hyperparameters: Record<string, unknown>;
  runId: string;
  /** Hash of the dataset split the model was trained on (computed by the trainer). */
  datasetFingerprint: string;
  /** e.g. { valAccuracy, testAccuracy, macroF1, ece } (trainer-defined keys). */
  metrics: Record<string, number>;
  /** Softmax temperature from calibration; consumers divide logits by it (1 = uncalibrated). */
  temperature: number;
  /**
   * Log-space offset per class (EMOTIONS order) added after the temperature: served probabilities are
   * softmax(logits / temperature + classBias). Absent = zeros. See calibration/served-calibration.ts.
   */
  classBias?: number[];
  createdAt: string;
  weightsSha256: string;
  onnxSha256?: string;
  /** Present when model.onnx is the int8 graph (onnx/quantize.ts): what served the figures measured on it. */
  onnxQuantization?: OnnxQuantization;
}

/** How model.onnx was quantized: enough to rebuild the identical graph from the weights (re-export, evaluate). */
export interface OnnxQuantization {
  kind: "int8";
  /** Largest value kept per quantized activation tensor (graph tensor name -> value); see onnx/quantize.ts. */
  activationRanges: Record<string, number>;
  /** Which images the ranges were measured on (a path relative to the repository, and how many). */
  calibrationData: string;
  calibrationImages: number;
}

/** What the caller provides when saving; the rest is filled in (hashes, format, contract constants). */
export type ModelMetadataInput = Omit<
  ModelMetadata,
  | "formatVersion"
  | "labels"
  | "inputSize"
  | "normalization"
  | "weightsSha256"
  | "onnxSha256"
  | "createdAt"
  | "temperature"
> & { createdAt?: string; temperature?: number };

function invalid(file: string, problem: string): never {
  throw new AppError("MODEL_INVALID", `${file}: ${problem}`, {
    hint: "re-export the model with the trainer, or restore the model directory from version control",
    details: { file },
  });
}

/** Checks a parsed metadata.json against the model contract; throws MODEL_INVALID naming the file. */
export function validateMetadata(value: unknown, file: string): ModelMetadata {
  if (typeof value !== "object" || value === null) invalid(file, "not a JSON object");
  const m = value as Partial<ModelMetadata>;
  if (m.formatVersion !== MODEL_FORMAT_VERSION) {
    invalid(
      file,
      `formatVersion ${JSON.stringify(m.formatVersion)} is not supported (expected ${MODEL_FORMAT_VERSION})`,
    );
  }
  if (
    !Array.isArray(m.labels) ||
    m.labels.length !== EMOTIONS.length ||
    m.labels.some((l, i) => l !== EMOTIONS[i])
  ) {
    invalid(
      file,
      `labels ${JSON.stringify(m.labels)} differ from the expected order ${JSON.stringify(EMOTIONS)}`,
    );
  }
  if (m.inputSize !== 48) invalid(file, `inputSize ${JSON.stringify(m.inputSize)} is not 48`);
  if (m.normalization !== "divide255")
    invalid(file, `normalization ${JSON.stringify(m.normalization)} is not "divide255"`);
  if (m.architecture !== "compact" && m.architecture !== "deep") {
    invalid(file, `unknown architecture ${JSON.stringify(m.architecture)}`);
  }
  if (typeof m.weightsSha256 !== "string" || !/^[0-9a-f]{64}$/.test(m.weightsSha256))
    invalid(file, "weightsSha256 missing");
  if (typeof m.temperature !== "number" || !(m.temperature > 0) || !Number.isFinite(m.temperature))
    invalid(file, "temperature must be a positive number");
  if (
    m.classBias !== undefined &&
    (!Array.isArray(m.classBias) ||
      m.classBias.length !== EMOTIONS.length ||
      !m.classBias.every((offset) => typeof offset === "number" && Number.isFinite(offset)))
  )
    invalid(file, `classBias must be ${EMOTIONS.length} finite numbers (EMOTIONS order)`);
  for (const key of ["runId", "datasetFingerprint", "createdAt"] as const) {
    if (typeof m[key] !== "string") invalid(file, `${key} missing`);
  }
  if (m.inputFilter !== undefined) {
    try {
      validateInputFilter(m.inputFilter, "MODEL_INVALID");
    } catch (error) {
      invalid(file, (error as Error).message);
    }
  }
  if (m.onnxQuantization !== undefined) validateQuantization(m.onnxQuantization, file);
  if (typeof m.metrics !== "object" || m.metrics === null) invalid(file, "metrics missing");
  if (typeof m.hyperparameters !== "object" || m.hyperparameters === null)
    invalid(file, "hyperparameters missing");
  return m as ModelMetadata;
}

function validateQuantization(value: unknown, file: string): void {
  const q = value as Partial<OnnxQuantization>;
  if (typeof q !== "object" || q === null || q.kind !== "int8")
    invalid(file, `onnxQuantization.kind must be "int8"`);
  const ranges = q.activationRanges;
  if (
    typeof ranges !== "object" ||
    ranges === null ||
    !Object.values(ranges).every((range) => typeof range === "number" && range > 0 && Number.isFinite(range))
  )
    invalid(file, "onnxQuantization.activationRanges must map tensor names to positive numbers");
  if (typeof q.calibrationData !== "string" || !Number.isInteger(q.calibrationImages))
    invalid(file, "onnxQuantization.calibrationData and calibrationImages are required");
}
