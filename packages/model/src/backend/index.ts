export { selectBackend, activeBackend, parseBackendPreference } from "./select";
export { pointWasmAtLocalBinaries } from "./wasm-paths";
export {
  registerWasmTrainingKernels,
  checkWasmTrainingKernels,
  WASM_TRAINING_KERNEL_NAMES,
} from "./wasm-training";
export * from "./types";
