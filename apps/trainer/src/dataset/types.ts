import type { Emotion } from "@moodlens/shared";

export const SPLITS = ["train", "val", "test"] as const;
export type Split = (typeof SPLITS)[number];

/** Pixels per sample: one 48x48 grayscale crop. */
export const CROP_SIZE = 48;
export const PIXELS_PER_SAMPLE = CROP_SIZE * CROP_SIZE;

export type SourceKind = "folder" | "csv" | "photos";

/** What an import saw besides the samples it kept: reported to the user and stored in the cache's manifest. */
export interface ImportReport {
  /** Images per folder/label the model has no class for (e.g. `contempt`), or rows with an unknown emotion code. */
  skipped: Record<string, number>;
  /** Files that could not be decoded, or CSV rows that do not parse (path or `line N: reason`). */
  corrupt: string[];
  /** Photos in which no face was found (photos import only). */
  noFace: string[];
  /** Samples whose split came from a FER-2013 file-name prefix (`Training_`, `PublicTest_`, `PrivateTest_`). */
  splitFromFileNames?: number;
}

export interface DatasetManifest {
  format: "moodlens-dataset-cache/1";
  name: string;
  source: { kind: SourceKind; path: string };
  createdAt: string;
  count: number;
  size: number;
  labels: readonly Emotion[];
  classCounts: Record<Emotion, number>;
  splitCounts: Record<Split, number>;
  report: ImportReport;
  /** sha256 over labels, splits and pixels, in sample order: names the exact data a model was trained on. */
  fingerprint: string;
  /** The source's files when it was imported (source-signature.ts); absent in caches made before it existed. */
  sourceSignature?: string;
}

/** A dataset in memory: contiguous uint8 crops, one label index (EMOTIONS order) and one split code per sample. */
export interface Dataset {
  manifest: DatasetManifest;
  pixels: Uint8Array;
  labels: Uint8Array;
  splits: Uint8Array;
}

/** Samples gathered by an importer, before they become a cache. */
export interface ImportedSamples {
  pixels: Uint8Array[];
  labels: number[];
  splits: Split[];
  report: ImportReport;
}
