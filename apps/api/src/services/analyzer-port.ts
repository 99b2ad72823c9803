/**
 * What the API needs from @moodlens/model's face analyzer. Kept as a narrow port so the model host can swap
 * analyzers at run time (promoteModel) and the rest of the API does not depend on model internals.
 */
import type { Box, Emotion, Point } from "@moodlens/shared";

export interface AnalyzedFace {
  box: Box;
  detectionScore: number;
  landmarks?: Point[] | undefined;
  /** EMOTIONS order. */
  probabilities: number[];
  dominantEmotion: Emotion;
  valence: number;
  /** PNG data URL when explain was requested. */
  saliency?: string | undefined;
}

export interface AnalyzeOptions {
  explain?: boolean;
  maxInputPixels?: number;
  /** Faces classified per image; the rest are counted in skippedOverFaceLimit. */
  maxFaces?: number;
  /** With explain: saliency for the first this-many faces only. */
  explainMaxFaces?: number;
}

export interface AnalyzedImage {
  faces: AnalyzedFace[];
  skipped: number;
  /** Of `skipped`: faces found beyond the face limit. */
  skippedOverFaceLimit: number;
  image: { width: number; height: number; format?: string | undefined };
  /** Milliseconds per stage. */
  timings: Record<string, number>;
}

export interface LoadedAnalyzer {
  analyze(bytes: Buffer, options: AnalyzeOptions): Promise<AnalyzedImage>;
  dispose(): Promise<void> | void;
  /** Version string recorded with every analysis (the registry version, or the model's run id). */
  version: string;
  /** tfjs backend that runs it. */
  backend: string;
}

/** Loads the model directory `dir` into an analyzer; `version` is the registry's name for it, when known. */
export type AnalyzerLoader = (dir: string, version: string | undefined) => Promise<LoadedAnalyzer>;
