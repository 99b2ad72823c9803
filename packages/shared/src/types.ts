import type { Emotion } from "./emotions";

/** A face box in original-image pixels (after EXIF orientation is applied). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** One classified face as every app sees it. */
export interface FacePrediction {
  box: Box;
  detectionScore: number;
  /** Probabilities in `EMOTIONS` order, summing to 1. */
  probabilities: number[];
  dominantEmotion: Emotion;
  valence: number;
  landmarks?: Point[];
}

export type ModelStage = "development" | "staging" | "production" | "archived";
export const MODEL_STAGES: readonly ModelStage[] = ["development", "staging", "production", "archived"];

export type RunStatus = "queued" | "running" | "completed" | "failed" | "interrupted";
export const RUN_STATUSES: readonly RunStatus[] = ["queued", "running", "completed", "failed", "interrupted"];

/** Per-epoch training log, as yielded by the trainer's generator and stored per run. */
export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  valMacroF1?: number;
  learningRate: number;
  seconds: number;
  imagesPerSec: number;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Evaluation result: the shape of `trainer evaluate --json`. */
export interface EvaluationReport {
  accuracy: number;
  macroF1: number;
  perClass: Record<Emotion, ClassMetrics>;
  confusion: number[][];
  labels: Emotion[];
  skipped: Record<string, number>;
  ece: number;
  eceAfterTemperature?: number;
  temperature?: number;
  samples?: number;
  /** Evaluation images that also occur (same pixels and label) in the model's training data, when any do. */
  trainingOverlap?: { images: number; share: number; heldOutAccuracy: number };
}

export const API_SCOPES = ["analyze", "read:stats", "read:experiments", "admin"] as const;
export type ApiScope = (typeof API_SCOPES)[number];
