import type { TrainConfig } from "../training/config";
import { createOptimizer } from "../training/optimizer";
import { buildSeededNetwork } from "../training/seeded-network";
import { initialTrainerState } from "../training/state";
import type { TrainerStart } from "../training/trainer";
import { restoreCheckpoint } from "./checkpoint";
import { loadInitWeights } from "./init-weights";
import type { CheckpointPointer } from "./run-files";

/** Model, optimizer and state as the committed checkpoint left them (a resume). */
export async function startFromCheckpoint(
  runDirectory: string,
  pointer: CheckpointPointer,
  config: TrainConfig,
): Promise<TrainerStart> {
  const model = buildSeededNetwork(config);
  const optimizer = createOptimizer(config);
  await restoreCheckpoint(runDirectory, pointer, model, optimizer);
  return { model, optimizer, state: pointer.trainer };
}

/** A network of the run's architecture holding its recorded initial weights, with a fresh optimizer and state. */
export function startFromInitWeights(config: TrainConfig): TrainerStart {
  const model = buildSeededNetwork(config);
  try {
    loadInitWeights(config.initFrom!, model);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, optimizer: createOptimizer(config), state: initialTrainerState(config) };
}
