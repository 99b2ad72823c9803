export {
  registerWasmTrainingKernels,
  wasmTrainingKernelsRegistered,
  WASM_TRAINING_KERNEL_NAMES,
} from "./register";
export { checkWasmTrainingKernels } from "./self-check";
export { batchNormGradient } from "./batch-norm-gradient";
