import { AppError } from "@moodlens/shared";
import * as onnx from "../onnx";
import type { tf } from "../tf";
import { createTfjsClassifier, mirrorCrop, type EmotionClassifier } from "./classifier";
import type { ClassifierKind } from "./config";

/** The engine's ONNX classifier, as far as the analyzer relies on it. */
type OnnxFactory = (
  onnxPath: string,
  options?: Record<string, unknown>,
) => Promise<{ classify(crops: readonly Uint8Array[]): Promise<Float32Array[] | number[][]>; dispose(): unknown }>;

const onnxFactory = (): OnnxFactory | undefined => {
  const factory = (onnx as Record<string, unknown>).createOnnxClassifier;
  return typeof factory === "function" ? (factory as OnnxFactory) : undefined;
};

/** Wraps the ONNX session; TTA is done here on pixels because the session only sees crops. */
function adaptOnnx(session: Awaited<ReturnType<OnnxFactory>>, tta: boolean, size: number): EmotionClassifier {
  const run = async (crops: readonly Uint8Array[]) =>
    (await session.classify(crops)).map((row) => (row instanceof Float32Array ? row : Float32Array.from(row)));
  return {
    kind: "onnx",
    async classify(crops) {
      const plain = await run(crops);
      if (!tta) return plain;
      const mirrored = await run(crops.map((crop) => mirrorCrop(crop, size)));
      return plain.map((row, index) => row.map((value, k) => (value + mirrored[index]![k]!) / 2));
    },
    dispose: () => void session.dispose(),
  };
}

export interface LoadedClassifier {
  classifier: EmotionClassifier;
  fallbackReason?: string;
}

/**
 * Picks the engine: ONNX (7-12x faster than tfjs-wasm, measured) when model.onnx exists and onnxruntime loads,
 * else tfjs. "onnx" forced but unavailable is an error rather than a silent slowdown.
 */
export async function loadClassifier(
  kind: ClassifierKind,
  model: tf.LayersModel,
  onnxPath: string | undefined,
  options: { tta: boolean; size: number },
): Promise<LoadedClassifier> {
  if (kind === "tfjs") return { classifier: createTfjsClassifier(model, options) };
  const factory = onnxFactory();
  let problem: string;
  if (!onnxPath) problem = "the model directory has no model.onnx";
  else if (!factory) problem = "this build has no ONNX classifier";
  else {
    try {
      return { classifier: adaptOnnx(await factory(onnxPath), options.tta, options.size) };
    } catch (error) {
      problem = `onnxruntime could not load ${onnxPath}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
    }
  }
  if (kind === "onnx") {
    throw new AppError("CONFIG_INVALID", `classifier "onnx" is not available: ${problem}`, {
      hint: 'use classifier "auto" or "tfjs", or export the model to ONNX with the trainer',
    });
  }
  return { classifier: createTfjsClassifier(model, options), fallbackReason: problem };
}
