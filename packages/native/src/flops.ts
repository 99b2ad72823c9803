import { INPUT_SIZE, NUM_CLASSES, type DeepNetworkConfig } from "@moodlens/model";

/**
 * Floating-point operations of one training image of a deep network: 3x the forward pass's multiply-adds x 2
 * (forward, gradient w.r.t. the input, gradient w.r.t. the weights), convolutions and dense layers only (batch
 * norm, ReLU, pooling and the optimizer are comparatively free). The usual convention: 0.71 GFLOP for the
 * 48x48 VGG with blocks 32/64/128/256, two convs each, dense 256.
 */
export function trainingFlopsPerImage(config: DeepNetworkConfig): number {
  let side = INPUT_SIZE / config.inputPool;
  let channels = 1;
  let forward = 0;
  for (const width of config.blockWidths) {
    for (let k = 0; k < config.convsPerBlock; k++) {
      forward += 2 * side * side * 9 * channels * width;
      channels = width;
    }
    side = Math.floor(side / 2);
  }
  let features = config.head === "gap" ? channels : side * side * channels;
  if (config.denseUnits > 0) {
    forward += 2 * features * config.denseUnits;
    features = config.denseUnits;
  }
  forward += 2 * features * NUM_CLASSES;
  return 3 * forward;
}
