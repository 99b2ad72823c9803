/**
 * Measures the activation ranges that int8 quantization (quantize.ts) needs: the float graph is run by onnxruntime
 * on calibration crops with every activation to quantize as an extra output, and each tensor's largest value is kept.
 * Calibrate on training images, never on the data the quantized model is then judged on.
 */
import { AppError } from "@moodlens/shared";
import { toModelInput } from "../preprocess";
import type { tf } from "../tf";
import { loadOnnxRuntime, onnxRuntimeProblem } from "./classifier";
import { buildOnnxGraph, ONNX_INPUT_NAME } from "./export";
import { encodeModel } from "./onnx-proto";
import { activationTensors, inputTensor, withProbes } from "./quantize";

const BATCH = 64;
const BINS = 4096;
/** Share of each tensor's positive values its range keeps (1 = the largest value seen). */
export const DEFAULT_SHARE = 0.9999;

export async function measureActivationRanges(
  model: tf.LayersModel,
  crops: readonly Uint8Array[],
  share = DEFAULT_SHARE,
): Promise<Record<string, number>> {
  const ort = await loadOnnxRuntime();
  if (!ort)
    throw new AppError("CONFIG_INVALID", `quantization needs onnxruntime-node (${onnxRuntimeProblem()})`);
  if (crops.length === 0) throw new AppError("BAD_USER_INPUT", "quantization needs calibration images");
  const graph = buildOnnxGraph(model);
  // The input's range is known (pixel / 255); the rest is measured.
  const tensors = activationTensors(graph).filter((tensor) => tensor !== inputTensor(graph));
  const session = await ort.InferenceSession.create(encodeModel(withProbes(graph, tensors), "moodlens"), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const run = async (visit: (tensor: string, data: Float32Array) => void) => {
    for (let start = 0; start < crops.length; start += BATCH) {
      const batch = crops.slice(start, start + BATCH);
      const pixels = toModelInput(batch);
      const values = Float32Array.from(pixels.dataSync() as Float32Array);
      pixels.dispose();
      const outputs = await session.run({
        [ONNX_INPUT_NAME]: new ort.Tensor("float32", values, [batch.length, 48, 48, 1]),
      });
      for (const tensor of tensors) visit(tensor, outputs[tensor]!.data as Float32Array);
    }
  };
  const largest: Record<string, number> = Object.fromEntries(tensors.map((tensor) => [tensor, 0]));
  const histograms = new Map(tensors.map((tensor) => [tensor, new Float64Array(BINS)]));
  try {
    await run((tensor, data) => {
      let top = largest[tensor]!;
      for (const value of data) if (value > top) top = value;
      largest[tensor] = top;
    });
    if (share >= 1) return largest;
    await run((tensor, data) => {
      const histogram = histograms.get(tensor)!;
      const perBin = BINS / Math.max(largest[tensor]!, 1e-12);
      for (const value of data) if (value > 0) histogram[Math.min(BINS - 1, Math.floor(value * perBin))]!++;
    });
  } finally {
    await session.release();
  }
  // The smallest range that holds `share` of the positive values: a few outliers no longer coarsen every step.
  const ranges: Record<string, number> = {};
  for (const tensor of tensors) {
    const histogram = histograms.get(tensor)!;
    const total = histogram.reduce((sum, count) => sum + count, 0);
    let seen = 0;
    let bin = 0;
    while (bin < BINS - 1 && seen + histogram[bin]! < share * total) seen += histogram[bin++]!;
    ranges[tensor] = ((bin + 1) / BINS) * largest[tensor]!;
  }
  return ranges;
}
