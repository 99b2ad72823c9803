import type { EpochLog } from "@moodlens/shared";
import type { TrainConfig } from "./config";
import { afterEpoch, initialScheduleState, type ScheduleState } from "./schedule";

/** The shared epoch log plus what only the trainer reports: CPU cores kept busy during the epoch. */
export interface TrainerEpochLog extends EpochLog {
  cpuShare?: number;
}

/** Everything about a training that is not weights: checkpointed with them so a resume continues exactly. */
export interface TrainerState {
  /** Epochs completed (1-based count; the next epoch to run is epoch + 1). */
  epoch: number;
  journal: TrainerEpochLog[];
  schedule: ScheduleState;
  bestValAccuracy: number | null;
  bestEpoch: number | null;
  epochsWithoutBest: number;
  stoppedEarly: boolean;
  /** Wall-clock seconds spent in epochs so far, across sittings. */
  trainSeconds: number;
}

export const initialTrainerState = (config: TrainConfig): TrainerState => ({
  epoch: 0,
  journal: [],
  schedule: initialScheduleState(config.learningRate),
  bestValAccuracy: null,
  bestEpoch: null,
  epochsWithoutBest: 0,
  stoppedEarly: false,
  trainSeconds: 0,
});

/** One yielded epoch: the log plus whether this epoch is the best so far (the caller keeps those weights). */
export interface EpochResult {
  log: TrainerEpochLog;
  isBest: boolean;
  state: TrainerState;
}

/** The state after an epoch: journal, schedule, best epoch and early stopping all advance from its log. */
export function stateAfterEpoch(
  config: TrainConfig,
  previous: TrainerState,
  log: TrainerEpochLog,
): EpochResult {
  const isBest = previous.bestValAccuracy === null || log.valAccuracy > previous.bestValAccuracy;
  const epochsWithoutBest = isBest ? 0 : previous.epochsWithoutBest + 1;
  const state: TrainerState = {
    epoch: log.epoch,
    journal: [...previous.journal, log],
    schedule: afterEpoch(config.schedule, previous.schedule, log.valLoss),
    bestValAccuracy: isBest ? log.valAccuracy : previous.bestValAccuracy,
    bestEpoch: isBest ? log.epoch : previous.bestEpoch,
    epochsWithoutBest,
    stoppedEarly: config.earlyStoppingPatience > 0 && epochsWithoutBest >= config.earlyStoppingPatience,
    trainSeconds: previous.trainSeconds + log.seconds,
  };
  return { log, isBest, state };
}
