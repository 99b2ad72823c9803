import type { ScheduleConfig } from "./config";

/** What a schedule remembers between epochs (checkpointed with the run). */
export interface ScheduleState {
  /** Current base rate (plateau lowers it; cosine ignores it). */
  learningRate: number;
  bestValLoss: number | null;
  epochsWithoutImprovement: number;
}

export const initialScheduleState = (learningRate: number): ScheduleState => ({
  learningRate,
  bestValLoss: null,
  epochsWithoutImprovement: 0,
});

/**
 * Learning rate for one optimisation step. `progress` is the epoch position as a real number
 * (epoch index from 0 + fraction of the epoch done), so cosine and warm-up move smoothly within an epoch.
 */
export function learningRateAt(
  schedule: ScheduleConfig,
  state: ScheduleState,
  baseRate: number,
  totalEpochs: number,
  progress: number,
): number {
  if (schedule.kind === "constant") return baseRate;
  if (schedule.kind === "plateau") return state.learningRate;
  const warmup = schedule.warmupEpochs;
  if (warmup > 0 && progress < warmup) return baseRate * Math.max(0.05, progress / warmup);
  const span = Math.max(1e-9, totalEpochs - warmup);
  const t = Math.min(1, Math.max(0, (progress - warmup) / span));
  return schedule.minLearningRate + 0.5 * (baseRate - schedule.minLearningRate) * (1 + Math.cos(Math.PI * t));
}

/** Updates the schedule after an epoch's validation (plateau: count bad epochs, lower the rate). */
export function afterEpoch(schedule: ScheduleConfig, state: ScheduleState, valLoss: number): ScheduleState {
  if (schedule.kind !== "plateau") return state;
  if (state.bestValLoss === null || valLoss < state.bestValLoss - 1e-4) {
    return { ...state, bestValLoss: valLoss, epochsWithoutImprovement: 0 };
  }
  const bad = state.epochsWithoutImprovement + 1;
  if (bad < schedule.patience) return { ...state, epochsWithoutImprovement: bad };
  return {
    ...state,
    learningRate: Math.max(schedule.minLearningRate, state.learningRate * schedule.factor),
    epochsWithoutImprovement: 0,
  };
}
