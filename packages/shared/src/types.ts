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
  /** ECE of the network's plain softmax. */
  ece: number;
  /** ECE of the served probabilities: after the temperature and the class bias (when the model has one). */
  eceAfterTemperature?: number;
  temperature?: number;
  /**
   * Log-space offset per class (EMOTIONS order) added after the temperature, when the model has one: accuracy,
   * macro-F1, per-class figures and confusion are then of the served decision, argmax of the biased probabilities.
   */
  classBias?: number[];
  /** How the class bias was fitted, when this evaluation fitted one (trainer `calibrate`, a run's --min-recall). */
  classBiasFit?: ClassBiasFitSummary;
  samples?: number;
  /** Evaluation images that also occur (same pixels and label) in the model's training data, when any do. */
  trainingOverlap?: { images: number; share: number; heldOutAccuracy: number };
}

/** A class bias fitted on some data, and what it is worth on data it was not fitted on. */
export interface ClassBiasFitSummary {
  /** The recall every class was to reach (0..1). */
  minRecall: number;
  /** Whether every class reached it on the data the bias was fitted on. */
  reachedFloor: boolean;
  /**
   * Two stratified halves of the data (fixed seed): temperature and bias fitted on each, every image decided by the
   * fit of the other half. An honest estimate, where the report's own figures are measured on the fitted data.
   */
  crossFitted: { accuracy: number; macroF1: number; minRecall: number; recall: Record<Emotion, number> };
}

export const API_SCOPES = ["analyze", "read:stats", "read:experiments", "admin"] as const;
export type ApiScope = (typeof API_SCOPES)[number];
