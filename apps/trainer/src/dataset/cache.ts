import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { AppError, EMOTIONS, type Emotion } from "@moodlens/shared";
import { fsyncDirectory } from "../util/atomic";
import {
  CROP_SIZE,
  PIXELS_PER_SAMPLE,
  SPLITS,
  type Dataset,
  type DatasetManifest,
  type ImportedSamples,
  type SourceKind,
  type Split,
} from "./types";

const MANIFEST = "manifest.json";
const PIXELS = "pixels.u8";
const LABELS = "labels.u8";
const SPLIT_CODES = "splits.u8";

export function fingerprintOf(pixels: Uint8Array, labels: Uint8Array, splits: Uint8Array): string {
  return createHash("sha256").update(labels).update(splits).update(pixels).digest("hex");
}

/** Packs imported samples into contiguous arrays and fingerprints them. */
export function buildDataset(
  samples: ImportedSamples,
  source: { kind: SourceKind; path: string },
  name: string,
): Dataset {
  const count = samples.pixels.length;
  const pixels = new Uint8Array(count * PIXELS_PER_SAMPLE);
  samples.pixels.forEach((crop, i) => pixels.set(crop, i * PIXELS_PER_SAMPLE));
  const labels = Uint8Array.from(samples.labels);
  const splits = Uint8Array.from(samples.splits.map((split) => SPLITS.indexOf(split)));
  const classCounts = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as Record<Emotion, number>;
  for (const label of labels) classCounts[EMOTIONS[label]!] += 1;
  const splitCounts = Object.fromEntries(SPLITS.map((s) => [s, 0])) as Record<Split, number>;
  for (const code of splits) splitCounts[SPLITS[code]!] += 1;
  const manifest: DatasetManifest = {
    format: "moodlens-dataset-cache/1",
    name,
    source,
    createdAt: new Date().toISOString(),
    count,
    size: CROP_SIZE,
    labels: EMOTIONS,
    classCounts,
    splitCounts,
    report: samples.report,
    fingerprint: fingerprintOf(pixels, labels, splits),
  };
  return { manifest, pixels, labels, splits };
}

/** Cache folder name for a source: readable name + a short hash of the absolute source path and kind. */
export function cacheNameFor(sourcePath: string, kind: SourceKind): string {
  const absolute = resolve(sourcePath);
  const slug =
    absolute
      .split("/")
      .filter(Boolean)
      .slice(-2)
      .join("-")
      .replace(/[^a-zA-Z0-9_-]/g, "_") || "dataset";
  const hash = createHash("sha256").update(`${kind}:${absolute}`).digest("hex").slice(0, 10);
  return `${slug}-${hash}`;
}

/** Writes the cache folder atomically: build in a temporary sibling, then rename into place. */
export function writeDatasetCache(directory: string, dataset: Dataset): void {
  const parent = resolve(directory, "..");
  mkdirSync(parent, { recursive: true });
  const temporary = join(parent, `.${basename(directory)}.${process.pid}.tmp`);
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary);
  writeFileSync(join(temporary, PIXELS), dataset.pixels);
  writeFileSync(join(temporary, LABELS), dataset.labels);
  writeFileSync(join(temporary, SPLIT_CODES), dataset.splits);
  writeFileSync(join(temporary, MANIFEST), `${JSON.stringify(dataset.manifest, null, 2)}\n`);
  rmSync(directory, { recursive: true, force: true });
  renameSync(temporary, directory);
  fsyncDirectory(parent);
}

export const isDatasetCache = (directory: string): boolean => existsSync(join(directory, MANIFEST));

export function readDatasetCache(directory: string): Dataset {
  if (!isDatasetCache(directory)) {
    throw new AppError("NOT_FOUND", `no dataset cache in ${directory}`, {
      hint: "run `npm run trainer -- import --from SOURCE` first",
    });
  }
  const manifest = JSON.parse(readFileSync(join(directory, MANIFEST), "utf8")) as DatasetManifest;
  if (manifest.format !== "moodlens-dataset-cache/1") {
    throw new AppError(
      "DATASET_INVALID",
      `unknown dataset cache format "${manifest.format}" in ${directory}`,
    );
  }
  const read = (file: string) => new Uint8Array(readFileSync(join(directory, file)));
  const dataset: Dataset = {
    manifest,
    pixels: read(PIXELS),
    labels: read(LABELS),
    splits: read(SPLIT_CODES),
  };
  if (
    dataset.labels.length !== manifest.count ||
    dataset.splits.length !== manifest.count ||
    dataset.pixels.length !== manifest.count * PIXELS_PER_SAMPLE
  ) {
    throw new AppError("DATASET_INVALID", `dataset cache ${directory} is truncated`, {
      hint: "re-run `npm run trainer -- import --from SOURCE --force` for this source",
    });
  }
  return dataset;
}

/** Every cache under the cache folder (for `trainer datasets`-style listings and fingerprint look-ups). */
export function listDatasetCaches(
  cacheDirectory: string,
): { directory: string; manifest: DatasetManifest }[] {
  if (!existsSync(cacheDirectory)) return [];
  return readdirSync(cacheDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith("."))
    .map((entry) => join(cacheDirectory, entry.name))
    .filter(isDatasetCache)
    .map((directory) => ({
      directory,
      manifest: JSON.parse(readFileSync(join(directory, MANIFEST), "utf8")) as DatasetManifest,
    }));
}

/** A view of some samples of a dataset (indices into it), e.g. the training or validation part. */
export interface Subset {
  dataset: Dataset;
  indices: Uint32Array;
}

export const subsetLabels = (subset: Subset): Uint8Array => {
  const out = new Uint8Array(subset.indices.length);
  subset.indices.forEach((index, i) => (out[i] = subset.dataset.labels[index]!));
  return out;
};

export const sampleIndicesOfSplits = (dataset: Dataset, splits: readonly Split[]): Uint32Array => {
  const codes = new Set(splits.map((split) => SPLITS.indexOf(split)));
  const out: number[] = [];
  dataset.splits.forEach((code, index) => {
    if (codes.has(code)) out.push(index);
  });
  return Uint32Array.from(out);
};
