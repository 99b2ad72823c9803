export {
  ARCHITECTURES,
  NUM_CLASSES,
  NETWORK_DEFAULTS,
  resolveNetworkConfig,
  type Architecture,
  type CompactNetworkConfig,
  type DeepNetworkConfig,
  type NetworkConfig,
  type NetworkConfigInput,
} from "./config";
export { buildNetwork, countParams } from "./build";
export { memberLayerName, mergeIntoEnsemble } from "./ensemble";
