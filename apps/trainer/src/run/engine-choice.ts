import { cpus } from "node:os";
import type { selectBackend } from "@moodlens/model";
import { selectTrainingEngine } from "@moodlens/native";
import type { TrainConfig } from "../training/config";
import type { TrainingEngine } from "../training/engine";
import type { RunOptions } from "./run-options";

/** The native engine when it is asked for (or preferred) and supports the run's network; else undefined = tfjs. */
export function chooseTrainingEngine(
  config: TrainConfig,
  backend: Pick<Awaited<ReturnType<typeof selectBackend>>, "name" | "requested">,
  options: RunOptions,
  log: (line: string) => void,
): TrainingEngine | undefined {
  return selectTrainingEngine({
    requested: options.backend ?? backend.requested,
    network: config.network,
    tfjsBackend: backend.name,
    disabled: options.nativeDisabled,
    options: {
      precision: options.precision ?? "fp32",
      replicas: options.nativeThreads ?? cpus().length,
      threadsPerReplica: 1,
      optimizer: config.optimizer,
      momentum: config.momentum,
    },
    log,
  });
}
