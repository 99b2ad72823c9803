import { buildNetwork, type tf } from "@moodlens/model";
import { Rng, seedMathRandom } from "../util/rng";
import type { TrainConfig } from "./config";

/** Builds the network with initial weights drawn from the run's seed (tfjs initialisers use Math.random). */
export function buildSeededNetwork(config: TrainConfig): tf.LayersModel {
  const restore = seedMathRandom(Rng.derive(config.seed, "init"));
  try {
    return buildNetwork(config.network);
  } finally {
    restore();
  }
}
