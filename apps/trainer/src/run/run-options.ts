import type { BackendPreference } from "@moodlens/model";
import type { Precision } from "@moodlens/native";
import { logToStderr } from "../util/log";

/** Records a run's progress somewhere durable besides its folder (the database); must never throw. */
export interface RunRecorder {
  /** Pushes whatever the run folder holds that the database lacks; returns a problem or undefined. */
  sync(runDirectory: string): Promise<string | undefined>;
}

export interface RunOptions {
  cacheDirectory: string;
  log?: (line: string) => void;
  progress?: boolean;
  recorder?: RunRecorder;
  /** Called between batches (tests use it to be killed at a known point). */
  onBatch?: (epoch: number, batch: number, batches: number) => void | Promise<void>;
  /** Stop after this many epochs in this sitting (the run stays resumable). */
  maxEpochsThisSitting?: number;
  /** 2 = data-parallel on two cores (a per-sitting choice: not part of the run's config). */
  workers?: number;
  /** Backend/engine preference (--backend; default env MOODLENS_BACKEND): "native" forces the oneDNN engine. */
  backend?: BackendPreference;
  /** Native engine: compute precision (default fp32) and data-parallel threads (default: every core). */
  precision?: Precision;
  nativeThreads?: number;
  /** The app's MOODLENS_NATIVE=off: report the native engine absent. */
  nativeDisabled?: boolean;
}

/** The log of a run: the caller's, else stderr. */
export const runLog = (options: Pick<RunOptions, "log">): ((line: string) => void) =>
  options.log ?? logToStderr;
