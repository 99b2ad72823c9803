import type { tf } from "../tf";
import { buildCompactNetwork } from "./compact";
import { resolveNetworkConfig, type NetworkConfig, type NetworkConfigInput } from "./config";
import { buildDeepNetwork } from "./deep";

/** Builds an untrained network: input [N,48,48,1] (pixel/255), output [N,7] softmax in EMOTIONS order. */
export function buildNetwork(input: NetworkConfigInput | NetworkConfig): tf.LayersModel {
  const config = resolveNetworkConfig(input);
  return config.architecture === "compact" ? buildCompactNetwork(config) : buildDeepNetwork(config);
}

/** Trainable + non-trainable parameters (batch-norm statistics included), as Keras counts them. */
export function countParams(model: tf.LayersModel): number {
  return model.countParams();
}
