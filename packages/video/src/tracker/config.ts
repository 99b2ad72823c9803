import { AppError } from "@moodlens/shared";
import type { TrackerConfig } from "../types";
import { validateSmoothing } from "./smoothing";

/**
 * Defaults chosen for the API's 2 fps sampling and webcam streams: a face may be missed by the detector for a
 * frame or two (1 s), and a half-life of 0.5 s removes single-frame label flips while a real change of expression
 * still shows within about a second.
 */
export const DEFAULT_TRACKER_CONFIG: Readonly<TrackerConfig> = Object.freeze({
  maxLostSeconds: 1,
  minIou: 0.1,
  maxCentreDistance: 1.5,
  maxSizeRatio: 2,
  smoothing: Object.freeze({ kind: "exponential", halfLifeSeconds: 0.5 }),
  keepSeries: true,
});

export type TrackerOptions = Partial<TrackerConfig>;

export function resolveTrackerConfig(options: TrackerOptions = {}): TrackerConfig {
  const config: TrackerConfig = {
    ...DEFAULT_TRACKER_CONFIG,
    ...options,
    smoothing: { ...(options.smoothing ?? DEFAULT_TRACKER_CONFIG.smoothing) },
  };
  const nonNegative = (name: keyof TrackerConfig, value: number) => {
    if (!Number.isFinite(value) || value < 0)
      throw new AppError("CONFIG_INVALID", `tracker ${name} must be a number >= 0`);
  };
  nonNegative("maxLostSeconds", config.maxLostSeconds);
  nonNegative("minIou", config.minIou);
  nonNegative("maxCentreDistance", config.maxCentreDistance);
  if (!(config.maxSizeRatio >= 1)) throw new AppError("CONFIG_INVALID", "tracker maxSizeRatio must be >= 1");
  validateSmoothing(config.smoothing);
  return config;
}
