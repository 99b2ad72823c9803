import type { ModelInfo } from "./types";

const engineName = (engine: "onnx" | "tfjs", tfjsBackend: string) =>
  engine === "onnx" ? "onnxruntime" : `tfjs ${tfjsBackend}`;

/**
 * Which engine runs each stage, for logs and the UI: "detector onnxruntime, classifier onnxruntime, saliency tfjs
 * wasm". The tfjs backend alone ("wasm") would name only the engine of the saliency maps and of any fallback.
 */
export function describeEngines(
  model: Pick<ModelInfo, "detector" | "classifier" | "backend"> & Partial<Pick<ModelInfo, "precision">>,
): string {
  const precision = model.precision === "int8" ? " int8" : "";
  return `detector ${engineName(model.detector, model.backend)}, classifier ${engineName(model.classifier, model.backend)}${precision}, saliency tfjs ${model.backend}`;
}
