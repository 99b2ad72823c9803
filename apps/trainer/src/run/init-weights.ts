import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AppError } from "@moodlens/shared";
import type { tf } from "@moodlens/model";
import { loadModelWeights, tensorFiles } from "./checkpoint";
import type { InitFrom } from "../training/config";
import { readCheckpointPointer } from "./run-files";
import { fromRecordedPath, toRecordedPath } from "../util/paths";

const hasWeightFiles = (path: string) => {
  try {
    return tensorFiles(path, "weights").length > 0;
  } catch {
    return false;
  }
};

const isWeightsFolder = (path: string) => existsSync(join(path, "weights.json")) && hasWeightFiles(path);

/** The best epoch's weights of a run folder (finished or not). */
function bestWeightsOfRun(runDirectory: string): string | undefined {
  const pointer = readCheckpointPointer(runDirectory);
  return pointer?.best ? join(runDirectory, pointer.best) : undefined;
}

/**
 * Resolves `--init-from`: a run id (in the runs folder), a run folder, or a weights folder such as
 * `<run>/best/epoch-0024`. A run means its best epoch so far.
 */
export function resolveInitFrom(reference: string, runsDirectory: string, cwd = process.cwd()): InitFrom {
  const candidates = [resolve(cwd, reference), join(runsDirectory, reference)];
  for (const candidate of candidates) {
    const folder = isWeightsFolder(candidate)
      ? candidate
      : existsSync(candidate)
        ? bestWeightsOfRun(candidate)
        : undefined;
    if (folder && isWeightsFolder(folder))
      return { source: toRecordedPath(folder), weightsSha256: weightsDigest(folder) };
  }
  throw new AppError(
    "NOT_FOUND",
    `--init-from ${reference}: no run with a finished epoch and no weights folder there`,
    {
      hint: `pass a run id from ${runsDirectory}, a run folder, or a folder holding weights.json + weights.bin`,
    },
  );
}

/** sha256 of the weights' bytes (all shards in order: a single weights.bin hashes as before). */
export function weightsDigest(folder: string): string {
  const hash = createHash("sha256");
  for (const file of tensorFiles(folder, "weights")) hash.update(readFileSync(file));
  return hash.digest("hex");
}

/** Writes the recorded initial weights into `model`; fails when they changed since the run was created. */
export function loadInitWeights(initFrom: InitFrom, model: tf.LayersModel): void {
  const folder = fromRecordedPath(initFrom.source);
  if (!isWeightsFolder(folder)) {
    throw new AppError("NOT_FOUND", `initial weights ${initFrom.source} are gone`, {
      hint: "restore that folder, or start a new run",
    });
  }
  const digest = weightsDigest(folder);
  if (digest !== initFrom.weightsSha256) {
    throw new AppError(
      "MODEL_INVALID",
      `initial weights ${initFrom.source} changed since the run was created (sha256 ${digest.slice(0, 12)}… ≠ ${initFrom.weightsSha256.slice(0, 12)}…)`,
      {
        hint: "restore the original weights, or start a new run",
      },
    );
  }
  // Same checks as a resume: weight count, names and shapes must match the run's network.
  loadModelWeights(folder, model);
}
