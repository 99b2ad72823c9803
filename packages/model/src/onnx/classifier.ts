/**
 * Serving through onnxruntime-node (inference only; 7-12x faster than tfjs-wasm on this hardware).
 * The tfjs fallback and the engine choice live in analyzer/ (loadClassifier); this file only opens sessions.
 * Input contract as everywhere: float32 NHWC [n,48,48,1], pixel / 255.
 */
import type * as OnnxRuntimeModule from "onnxruntime-node";
import { AppError } from "@moodlens/shared";
import { toModelInput } from "../preprocess";
import { ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from "./export";

const FACE_PIXELS = 48 * 48;
const CLASSES = 7;

export interface OnnxClassifier {
  readonly engine: "onnxruntime";
  /** Probabilities [n*7] (EMOTIONS order) for n faces packed in `batch` ([n,48,48,1], pixel/255). */
  classify(batch: Float32Array, n: number): Promise<Float32Array>;
  /** Same for raw 48x48 gray crops (normalised by the shared preprocessing); one row per crop. */
  classify(crops: readonly Uint8Array[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

export interface OnnxClassifierOptions {
  /** Intra-op threads (default 1: one request per core scales better than one request on two cores). */
  threads?: number;
}

type OnnxRuntime = typeof OnnxRuntimeModule;
type Session = Awaited<ReturnType<OnnxRuntime["InferenceSession"]["create"]>>;
let runtime: Promise<OnnxRuntime | undefined> | undefined;
let runtimeProblem: string | undefined;

/** Loads onnxruntime-node once; undefined (and `onnxRuntimeProblem()` says why) when its native binding cannot load. */
export function loadOnnxRuntime(): Promise<OnnxRuntime | undefined> {
  runtime ??= import("onnxruntime-node").then(
    (module) => ((module as { default?: OnnxRuntime }).default ?? module) as OnnxRuntime,
    (error: unknown) => {
      runtimeProblem = error instanceof Error ? error.message.split("\n")[0] : String(error);
      return undefined;
    },
  );
  return runtime;
}

export const onnxRuntimeProblem = (): string | undefined => runtimeProblem;

function cropsToBatch(crops: readonly Uint8Array[]): Float32Array {
  // The shared preprocessing is the single source of the normalisation; the copy is cheap next to inference.
  const tensor = toModelInput(crops);
  const values = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return values;
}

async function run(
  ort: OnnxRuntime,
  session: Session,
  batch: Float32Array,
  n: number,
): Promise<Float32Array> {
  if (!Number.isInteger(n) || n < 0 || batch.length !== n * FACE_PIXELS) {
    throw new AppError(
      "BAD_USER_INPUT",
      `classify: expected ${n} x 48x48 floats (${n * FACE_PIXELS}), got ${batch.length}`,
    );
  }
  if (n === 0) return new Float32Array();
  const input = new ort.Tensor("float32", batch, [n, 48, 48, 1]);
  const result = await session.run({ [ONNX_INPUT_NAME]: input });
  const output = result[ONNX_OUTPUT_NAME]!;
  const data = Float32Array.from(output.data as Float32Array);
  output.dispose();
  input.dispose();
  return data;
}

/**
 * Opens model.onnx (a path or its bytes). Runtime missing -> CONFIG_INVALID (callers fall back to tfjs);
 * a file onnxruntime rejects -> MODEL_INVALID.
 */
export async function createOnnxClassifier(
  model: string | Uint8Array,
  options: OnnxClassifierOptions = {},
): Promise<OnnxClassifier> {
  const ort = await loadOnnxRuntime();
  if (!ort) {
    throw new AppError("CONFIG_INVALID", `onnxruntime-node cannot be loaded (${runtimeProblem})`, {
      hint: "serve with the tfjs classifier instead",
    });
  }
  const sessionOptions = {
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all" as const,
    executionProviders: ["cpu"],
  };
  let session: Session;
  try {
    session =
      typeof model === "string"
        ? await ort.InferenceSession.create(model, sessionOptions)
        : await ort.InferenceSession.create(model, sessionOptions);
  } catch (error) {
    throw new AppError(
      "MODEL_INVALID",
      `ONNX model cannot be opened: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }

  async function classify(batch: Float32Array, n: number): Promise<Float32Array>;
  async function classify(crops: readonly Uint8Array[]): Promise<Float32Array[]>;
  async function classify(
    input: Float32Array | readonly Uint8Array[],
    n?: number,
  ): Promise<Float32Array | Float32Array[]> {
    if (input instanceof Float32Array) return run(ort!, session, input, n ?? input.length / FACE_PIXELS);
    const probabilities = await run(ort!, session, cropsToBatch(input), input.length);
    return input.map((_, index) => probabilities.slice(index * CLASSES, (index + 1) * CLASSES));
  }

  return {
    engine: "onnxruntime",
    classify,
    async dispose() {
      await session.release();
    },
  };
}
