import type { Box } from "@moodlens/shared";

export const SYSTEM_NAMES = ["moodlens", "human", "faceApi"] as const;
export type SystemName = (typeof SYSTEM_NAMES)[number];

/** Id prefix of Moodlens' shipped-model classifier variants: the headline classify figures when a model is shipped. */
export const SHIPPED_PREFIX = "shipped model";

/** A face-expression classifier fed the same 48x48 gray crops (uint8) for every system. */
export interface Classifier {
  /** e.g. "compact/tfjs-wasm", "human-emotion". */
  id: string;
  /** Probabilities in EMOTIONS order (angry, disgust, fear, happy, sad, surprise, neutral), one row per crop. */
  classify(crops: readonly Uint8Array[]): Promise<number[][]>;
  dispose?(): void;
}

export interface BenchSystem {
  name: SystemName;
  /** What exactly runs: detector, classifier, backend, settings. Goes to the JSON as is. */
  description: Record<string, unknown>;
  /** Full analysis of one encoded image (decode + detect + classify every face); returns the faces' boxes (pixels). */
  analyze(image: Buffer): Promise<Box[]>;
  /** Classifiers timed in the classification section; the first is the system's headline classifier. */
  classifiers(): Promise<Classifier[]>;
  /** The classifier whose FER-2013 accuracy is reported, or why there is none. */
  accuracyClassifier(): Promise<Classifier | { unavailable: string }>;
  dispose(): void;
}

export type SystemFactory = (options: SystemOptions) => Promise<BenchSystem>;

export interface SystemOptions {
  /** The model moodlens serves in this run: models/default when trained, else a random-init one (speed only). */
  servingModelDir: string;
  /** True when servingModelDir is a trained model (then, and only then, its accuracy is measured). */
  servingModelTrained: boolean;
  /** One model per architecture for the classification section (random-init: speed does not depend on weights). */
  architectureModels: { architecture: "compact" | "deep"; dir: string; onnx: boolean }[];
  scratchDir: string;
}
