/**
 * Startup check of the registered wasm gradient kernels against the cpu backend's reference kernels, on tiny
 * tensors (milliseconds). Runs the kernels directly on each backend, so the global backend is not switched.
 */
import { tf } from "../../tf";
import { WASM_TRAINING_KERNELS } from "./register";

const TOLERANCE = 1e-4;

interface Case {
  kernelName: string;
  inputs: Record<string, number[]>;
  attrs: Record<string, unknown>;
}

function deterministicValues(size: number, seed: number): Float32Array {
  const values = new Float32Array(size);
  let state = seed;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    values[i] = state / 2147483648 - 0.5;
  }
  return values;
}

const CASES: Case[] = [
  {
    kernelName: "Conv2DBackpropFilter",
    inputs: { x: [2, 7, 7, 3], dy: [2, 4, 4, 4] },
    attrs: { strides: [2, 2], pad: "same", dataFormat: "NHWC", filterShape: [3, 3, 3, 4] },
  },
  {
    kernelName: "Conv2DBackpropInput",
    inputs: { dy: [2, 3, 3, 4], filter: [3, 3, 3, 4] },
    attrs: { strides: [2, 2], pad: "valid", dataFormat: "NHWC", inputShape: [2, 7, 7, 3] },
  },
  {
    kernelName: "DepthwiseConv2dNativeBackpropFilter",
    inputs: { x: [2, 6, 6, 3], dy: [2, 3, 3, 3] },
    attrs: { strides: [2, 2], pad: "same", dilations: [1, 1], filterShape: [3, 3, 3, 1] },
  },
  {
    kernelName: "DepthwiseConv2dNativeBackpropInput",
    inputs: { dy: [2, 6, 6, 3], filter: [3, 3, 3, 1] },
    attrs: { strides: [1, 1], pad: "same", dilations: [1, 1], inputShape: [2, 6, 6, 3] },
  },
];

function runOn(backendName: string, testCase: Case): Float32Array {
  const backend = tf.engine().findBackend(backendName);
  if (!backend) throw new Error(`backend ${backendName} is not available`);
  const kernel = tf.getKernel(testCase.kernelName, backendName);
  if (!kernel) throw new Error(`kernel ${testCase.kernelName} is missing on ${backendName}`);
  const infos: Record<string, tf.TensorInfo> = {};
  let seed = 7;
  for (const [name, shape] of Object.entries(testCase.inputs)) {
    const values = deterministicValues(
      shape.reduce((a, b) => a * b, 1),
      seed++,
    );
    infos[name] = { dataId: backend.write(values, shape, "float32"), shape, dtype: "float32" };
  }
  const out = kernel.kernelFunc({ inputs: infos, attrs: testCase.attrs as tf.NamedAttrMap, backend });
  const info = (Array.isArray(out) ? out[0] : out) as tf.TensorInfo;
  const result = Float32Array.from(backend.readSync(info.dataId) as Float32Array);
  backend.disposeData(info.dataId);
  for (const input of Object.values(infos)) backend.disposeData(input.dataId);
  return result;
}

/** Returns undefined when every registered kernel matches the cpu backend, else what went wrong. */
export function checkWasmTrainingKernels(): string | undefined {
  const names = new Set(WASM_TRAINING_KERNELS.map((config) => config.kernelName));
  for (const testCase of CASES) {
    if (!names.has(testCase.kernelName)) continue;
    try {
      const expected = runOn("cpu", testCase);
      const actual = runOn("wasm", testCase);
      if (expected.length !== actual.length) return `${testCase.kernelName}: output size differs from cpu`;
      let scale = 1e-6;
      let worst = 0;
      for (let i = 0; i < expected.length; i++) {
        scale = Math.max(scale, Math.abs(expected[i]!));
        worst = Math.max(worst, Math.abs(expected[i]! - actual[i]!));
      }
      if (worst / scale > TOLERANCE)
        return `${testCase.kernelName}: differs from cpu (relative error ${(worst / scale).toExponential(1)})`;
    } catch (error) {
      return `${testCase.kernelName}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return undefined;
}
