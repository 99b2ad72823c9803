/** "native": the trainer's oneDNN engine (@moodlens/native) trains; tfjs (as for "auto") holds the model between epochs. */
export const BACKEND_PREFERENCES = ["auto", "tensorflow-gpu", "tensorflow", "wasm", "cpu", "native"] as const;
export type BackendPreference = (typeof BACKEND_PREFERENCES)[number];

/** The concrete tfjs backends we can end up on ("tensorflow" covers tfjs-node and tfjs-node-gpu). */
export type BackendName = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";

/**
 * How gradients of conv nets are computed on the active backend:
 * - "native": the backend ships every gradient kernel (tfjs-node, cpu);
 * - "registered": wasm, with the missing gradient kernels composed by us (see wasm-training/);
 * - "missing": wasm without them (inference only).
 */
export type TrainingKernels = "native" | "registered" | "missing";

export interface BackendInfo {
  /** What is actually running. */
  name: BackendName;
  /** What was asked for (the argument, else "auto"). */
  requested: BackendPreference;
  /** Why a preferred backend was skipped, e.g. "tensorflow: @tensorflow/tfjs-node is not installed". */
  fallbackReason?: string;
  /** Compute threads the backend uses (wasm under Node: 1). */
  threads: number;
  trainingKernels: TrainingKernels;
}

export type BackendLogger = (line: string) => void;

export interface SelectBackendOptions {
  /** Receives the one line describing the choice; default: stderr. */
  logger?: BackendLogger;
  /**
   * When true (the trainer), a wasm backend must be able to train: its gradient kernels are registered and
   * checked against the cpu backend; if the check fails we fall back to cpu and say so.
   */
  forTraining?: boolean;
}
