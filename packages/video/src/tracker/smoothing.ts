import { AppError } from "@moodlens/shared";
import type { SmoothingConfig } from "../types";

/** What a track remembers to smooth its next frame. Plain data: part of the tracker's snapshot. */
export interface SmoothingState {
  /** Last smoothed probabilities (exponential) or null before the first frame. */
  smoothed: number[] | null;
  lastSeconds: number | null;
  /** Raw frames still inside the window (window smoothing only). */
  window: { seconds: number; probabilities: number[] }[];
}

export const emptySmoothingState = (): SmoothingState => ({ smoothed: null, lastSeconds: null, window: [] });

export function validateSmoothing(config: SmoothingConfig): void {
  const positive = (value: number) => Number.isFinite(value) && value > 0;
  if (config.kind === "exponential" && !positive(config.halfLifeSeconds)) {
    throw new AppError("CONFIG_INVALID", "smoothing.halfLifeSeconds must be a positive number of seconds");
  }
  if (config.kind === "window" && !positive(config.windowSeconds)) {
    throw new AppError("CONFIG_INVALID", "smoothing.windowSeconds must be a positive number of seconds");
  }
}

/** Mean of equally long vectors. */
export function meanOf(vectors: readonly (readonly number[])[]): number[] {
  const first = vectors[0];
  if (!first) return [];
  const sum = new Array<number>(first.length).fill(0);
  for (const vector of vectors) for (let i = 0; i < sum.length; i++) sum[i]! += vector[i] ?? 0;
  return sum.map((value) => value / vectors.length);
}

/** Smooths one frame's probabilities into the state (mutated) and returns the smoothed vector. */
export function smooth(
  config: SmoothingConfig,
  state: SmoothingState,
  seconds: number,
  raw: readonly number[],
): number[] {
  switch (config.kind) {
    case "none":
      state.lastSeconds = seconds;
      return [...raw];
    case "exponential": {
      const previous = state.smoothed;
      let next: number[];
      if (!previous || state.lastSeconds === null) next = [...raw];
      else {
        // Time-aware: the weight of the new frame depends on how long ago the last one was, not on the frame count.
        const dt = Math.max(0, seconds - state.lastSeconds);
        const alpha = 1 - Math.pow(0.5, dt / config.halfLifeSeconds);
        next = previous.map((value, i) => value + alpha * ((raw[i] ?? 0) - value));
      }
      state.smoothed = next;
      state.lastSeconds = seconds;
      return [...next];
    }
    case "window": {
      state.window.push({ seconds, probabilities: [...raw] });
      // Keep frames of (seconds - window, seconds]; the current frame always stays.
      state.window = state.window.filter((entry) => entry.seconds > seconds - config.windowSeconds);
      state.lastSeconds = seconds;
      return meanOf(state.window.map((entry) => entry.probabilities));
    }
  }
}
