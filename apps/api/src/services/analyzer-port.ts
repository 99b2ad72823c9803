/**
 * What the API needs from @moodlens/model's face analyzer. Kept as a narrow port so the model host can swap
 * analyzers at run time (promoteModel) and the rest of the API does not depend on model internals.
 */
import type { InspectedImage } from "@moodlens/model";
import type { FacePrediction } from "@moodlens/shared";

/** The shared face, plus its saliency map as a PNG data URL when explain was requested. */
export type ExplainedFace = FacePrediction & { saliency?: string };

export interface AnalyzeOptions {
  explain?: boolean;
  maxInputPixels?: number;
  /** Faces classified per image; the rest are counted in skippedOverFaceLimit. */
  maxFaces?: number;
  /** With explain: saliency for the first this-many faces only. */
  explainMaxFaces?: number;
}

export interface AnalyzedImage {
  faces: ExplainedFace[];
  skipped: number;
  /** Of `skipped`: faces found beyond the face limit. */
  skippedOverFaceLimit: number;
  image: { width: number; height: number; format?: string | undefined };
  /** Milliseconds per stage. */
  timings: Record<string, number>;
}

export interface LoadedAnalyzer {
  /** The image's bytes with the header the API already inspected (so it is not read twice). */
  analyze(image: InspectedImage, options: AnalyzeOptions): Promise<AnalyzedImage>;
  dispose(): Promise<void> | void;
  /** Version string recorded with every analysis (the registry version, or the model's run id). */
  version: string;
  /** tfjs backend that runs it. */
  backend: string;
}

/** Loads the model directory `dir` into an analyzer; `version` is the registry's name for it, when known. */
export type AnalyzerLoader = (dir: string, version: string | undefined) => Promise<LoadedAnalyzer>;
