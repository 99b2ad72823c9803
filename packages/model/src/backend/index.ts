// The shared tfjs instance travels with the backend that configures it.
export { tf } from "../tf";
export { selectBackend, activeBackend, parseBackendPreference } from "./select";
export { pointWasmAtLocalBinaries } from "./wasm-paths";
export {
  registerWasmTrainingKernels,
  checkWasmTrainingKernels,
  WASM_TRAINING_KERNEL_NAMES,
} from "./wasm-training";
export * from "./types";
