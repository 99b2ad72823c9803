import { tf } from "@moodlens/model";
import type { TrainConfig } from "./config";

/** The run's optimizer, fresh (a resume then loads its slots from the checkpoint). */
export function createOptimizer(config: TrainConfig): tf.Optimizer {
  return config.optimizer === "adam"
    ? tf.train.adam(config.learningRate)
    : tf.train.momentum(config.learningRate, config.momentum, true);
}

/** The schedule changes the rate every step; tfjs optimizers expose it under different names. */
export function setOptimizerLearningRate(optimizer: tf.Optimizer, rate: number): void {
  const target = optimizer as unknown as { setLearningRate?: (r: number) => void; learningRate: number };
  if (typeof target.setLearningRate === "function") target.setLearningRate(rate);
  else target.learningRate = rate;
}
