import { tf } from "../../tf";
import { batchNormGradient } from "./batch-norm-gradient";
import { fastReductionKernels } from "./reductions";
import {
  conv2DBackpropFilterWasm,
  conv2DBackpropInputWasm,
  depthwiseBackpropFilterWasm,
  depthwiseBackpropInputWasm,
} from "./conv-gradients";

/** Kernels we add to (or, for Conv2DBackpropInput, replace in) the wasm backend so conv nets can train on it. */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DBackpropFilterWasm,
  conv2DBackpropInputWasm,
  depthwiseBackpropFilterWasm,
  depthwiseBackpropInputWasm,
];
export const WASM_TRAINING_KERNEL_NAMES = WASM_TRAINING_KERNELS.map((config) => config.kernelName);

let registered = false;

/** Registers the wasm gradient kernels and the tile-free batch-norm gradient. Idempotent. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  // Built before the loop: they wrap the stock kernels, which the loop unregisters.
  const reductions = fastReductionKernels();
  for (const config of [...WASM_TRAINING_KERNELS, ...reductions]) {
    if (tf.getKernel(config.kernelName, "wasm")) tf.unregisterKernel(config.kernelName, "wasm");
    tf.registerKernel(config);
  }
  tf.registerGradient(batchNormGradient);
  registered = true;
}

export const wasmTrainingKernelsRegistered = (): boolean => registered;
