import { AppError } from "@moodlens/shared";
import { fingerprintOf, type Subset } from "../dataset/cache";
import type { Dataset } from "../dataset/types";
import { env } from "../env";
import { findTrainingOverlap, findRunDirectory } from "../run/training-overlap";
import { REPO_ROOT, resolveUserPath } from "../util/paths";
import { join } from "node:path";

/**
 * Beyond this share of training images the folder is mostly the training data and the numbers say nothing about
 * new faces: refused. Below it the overlap is reported with the accuracy on the held-out rest. FER-2013 itself has
 * exact cross-split duplicates: 273 of the 3,589 PublicTest images (7.6 %) are Training images with the same label,
 * so `val` must be measurable, and its figure is comparable with the literature's, which uses all of PublicTest.
 */
const MAX_TRAINING_OVERLAP = 0.5;

/** The runs whose training data the model has seen: its own, or every member's for an ensemble. */
function trainingRuns(metadata: { runId: string; hyperparameters?: Record<string, unknown> }): string[] {
  const members = metadata.hyperparameters?.ensemble;
  if (!Array.isArray(members)) return [metadata.runId];
  return members
    .map((member) => (member as { runId?: unknown }).runId)
    .filter((id): id is string => typeof id === "string");
}

/**
 * The test set is only honest if the model never saw it: refuse the model's own training data, and folders that
 * are mostly training images; return the positions of the evaluation images that also occur in the training data.
 */
export async function checkTrainingOverlap(
  subset: Subset,
  metadata: { runId: string; datasetFingerprint: string; hyperparameters?: Record<string, unknown> },
  dataset: Dataset,
  allow: boolean,
  log: (line: string) => void,
): Promise<number[]> {
  const wholeFingerprint = fingerprintOf(
    dataset.pixels,
    dataset.labels,
    new Uint8Array(dataset.labels.length),
  );
  // An ensemble records its members' fingerprints joined by "+" (trainer ensemble).
  if (metadata.datasetFingerprint.split("+").includes(wholeFingerprint) && !allow) {
    throw new AppError(
      "DATASET_INVALID",
      "these are the images the model was trained on (its training data); evaluating on them says nothing about new faces",
      {
        hint: "evaluate on a held-out folder (e.g. ../shared/datasets/fer2013/val)",
      },
    );
  }
  const positions = new Set<number>();
  for (const runId of trainingRuns(metadata)) {
    const runDirectory = findRunDirectory(runId, [
      resolveUserPath(env().MOODLENS_RUNS_DIR),
      join(REPO_ROOT, "models", "training"),
    ]);
    if (!runDirectory) continue;
    const found = await findTrainingOverlap(
      subset,
      runDirectory,
      resolveUserPath(env().MOODLENS_CACHE_DIR),
      log,
    );
    for (const position of found ?? []) positions.add(position);
  }
  const overlap = [...positions].sort((a, b) => a - b);
  if (overlap.length === 0) return overlap;
  const share = overlap.length / Math.max(1, subset.indices.length);
  if (share > MAX_TRAINING_OVERLAP && !allow) {
    throw new AppError(
      "DATASET_INVALID",
      `${overlap.length} of ${subset.indices.length} images (${(share * 100).toFixed(1)} %) were in the model's training data`,
      {
        hint: "evaluate on a held-out folder, or pass --allow-training-data to measure the fit on purpose",
      },
    );
  }
  log(
    `note: ${overlap.length} evaluation images (${(share * 100).toFixed(1)} %) also occur in the training data (FER-2013 has duplicates across splits); the report's trainingOverlap gives the accuracy without them`,
  );
  return overlap;
}
