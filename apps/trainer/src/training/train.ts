import type { EpochLog } from "@moodlens/shared";
import type { TrainConfig } from "./config";
import type { TrainingData } from "../dataset/partition";
import { Trainer, type TrainerOptions } from "./trainer";

/**
 * The training as an async generator of epoch logs (epfml/disco style): `for await (const log of train(…))`.
 * For checkpointing between epochs use the Trainer class, which also exposes model, optimizer and state.
 */
export async function* train(
  config: TrainConfig,
  data: TrainingData,
  options: TrainerOptions = {},
): AsyncGenerator<EpochLog> {
  const trainer = new Trainer(config, data, options);
  try {
    for await (const result of trainer.epochs()) yield result.log;
  } finally {
    trainer.dispose();
  }
}
