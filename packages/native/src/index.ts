export {
  loadNativeAddon,
  type AddonLoad,
  type NativeAddon,
  type NativeNetwork,
  type NativeNetworkConfig,
} from "./addon";
export {
  NativeTrainingEngine,
  nativeSupport,
  bf16Problem,
  type NativeBatch,
  type NativeEngineOptions,
  type Precision,
} from "./engine";
export { selectTrainingEngine, type SelectEngineInput } from "./select";
export { trainingFlopsPerImage } from "./flops";
