import { AppError } from "@moodlens/shared";
import type { Dataset } from "./types";

interface Part {
  dataset: Dataset;
  indices: Uint32Array;
}

const splitsOf = (dataset: Dataset) =>
  Object.entries(dataset.manifest.splitCounts)
    .filter(([, count]) => count > 0)
    .map(([split, count]) => `${count} ${split}`)
    .join(", ");

const fromNames = (dataset: Dataset) => {
  const count = dataset.manifest.report.splitFromFileNames ?? 0;
  return count
    ? ` (${count} of them split by their FER-2013 file names: Training_* train, PublicTest_* val, PrivateTest_* test)`
    : "";
};

/**
 * Says what a new run will train and validate on before it is created, and refuses an empty side: a run on zero
 * images would "complete" with a loss of 0 and an empty fingerprint, and show as a finished model.
 */
export function reportPartition(
  parts: { train: Part; val: Part },
  sources: { train: string; val?: string },
  log: (line: string) => void,
): void {
  const train = parts.train.dataset;
  if (parts.train.indices.length === 0) {
    throw new AppError(
      "DATASET_INVALID",
      `no training images in ${sources.train}: its ${train.manifest.count} images are ${splitsOf(train)}${fromNames(train)}`,
      {
        hint: "train on a folder of training images (e.g. ../shared/datasets/fer2013/train) and pass these with --val, or put them in a train/ folder",
      },
    );
  }
  if (parts.val.indices.length === 0) {
    const val = parts.val.dataset;
    throw new AppError(
      "DATASET_INVALID",
      `no validation images in ${sources.val ?? sources.train}: its ${val.manifest.count} images are ${splitsOf(val)}${fromNames(val)}`,
      {
        hint: "pass validation images with --val (e.g. ../shared/datasets/fer2013/val)",
      },
    );
  }
  log(`data: ${parts.train.indices.length} training images from ${sources.train}${fromNames(train)}`);
  const valSource =
    sources.val ??
    (parts.val.dataset === train
      ? `${sources.train} (its val split, or a seeded split of its train images)`
      : sources.train);
  log(
    `      ${parts.val.indices.length} validation images from ${valSource}${parts.val.dataset === train ? "" : fromNames(parts.val.dataset)}`,
  );
}
