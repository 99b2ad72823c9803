import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PIXELS_PER_SAMPLE, type Dataset } from "../dataset/types";
import type { Subset } from "../dataset/cache";
import { partition } from "../dataset/partition";
import { loadOrImport } from "../dataset/load";
import { readSpec, RUN_FILES } from "./run-files";
import { fromRecordedPath, toRecordedPath } from "../util/paths";
import { writeJsonAtomic } from "../util/atomic";

const sampleKey = (pixels: Uint8Array, index: number, label: number): string =>
  createHash("sha1")
    .update(pixels.subarray(index * PIXELS_PER_SAMPLE, (index + 1) * PIXELS_PER_SAMPLE))
    .update(String(label))
    .digest("base64");

/** Finds the run folder that trained a model (by run id) in the given runs folders. */
export function findRunDirectory(runId: string, runsDirectories: string[]): string | undefined {
  for (const directory of runsDirectories) {
    const candidate = join(directory, runId);
    if (existsSync(join(candidate, RUN_FILES.spec))) return candidate;
    if (!existsSync(directory)) continue;
    // Also look one level down (e.g. a folder of experiment folders).
    for (const name of readdirSync(directory)) {
      const nested = join(directory, name, runId);
      if (existsSync(join(nested, RUN_FILES.spec))) return nested;
    }
  }
  return undefined;
}

/** Where the result of one check is kept: one file per (evaluation data, training part) pair of fingerprints. */
export const overlapRecordPath = (
  cacheDirectory: string,
  evaluationFingerprint: string,
  trainFingerprint: string,
): string =>
  join(
    cacheDirectory,
    "overlap",
    `${evaluationFingerprint.slice(0, 24)}-${trainFingerprint.slice(0, 24)}.json`,
  );

/**
 * Which evaluation samples (same pixels and label) were in the model's training part: their positions in
 * `evaluation.indices`. Needs the run's folder (for its spec) and its training data (cache or source); returns
 * undefined when they are not available here. The answer is kept per pair of fingerprints: the training data (tens
 * of thousands of images) is read once.
 */
export async function findTrainingOverlap(
  evaluation: Subset,
  runDirectory: string,
  cacheDirectory: string,
  log: (line: string) => void = () => {},
): Promise<number[] | undefined> {
  try {
    const spec = readSpec(runDirectory);
    const record = overlapRecordPath(
      cacheDirectory,
      evaluation.dataset.manifest.fingerprint,
      spec.data.trainFingerprint,
    );
    if (existsSync(record)) {
      const kept = JSON.parse(readFileSync(record, "utf8")) as { overlap: number; positions?: number[] };
      if (kept.positions) {
        log(
          `overlap check: ${kept.overlap} of these images are in the training data of run ${spec.runId} (checked before, ${toRecordedPath(record)})`,
        );
        return kept.positions;
      }
    }
    log(
      `overlap check: comparing with the ${spec.data.trainCount} training images of run ${spec.runId} (once for this data)`,
    );
    const load = async (source: string, kind: Dataset["manifest"]["source"]["kind"]) =>
      (
        await loadOrImport(fromRecordedPath(source), {
          kind,
          cacheDirectory,
          log,
          progressLabel: `overlap check: decoding ${source}`,
        })
      ).dataset;
    const train = await load(spec.data.train.source, spec.data.train.kind);
    const val = spec.data.val ? await load(spec.data.val.source, spec.data.val.kind) : null;
    const parts = partition(spec.config, train, val);
    const seen = new Set<string>();
    for (const index of parts.train.indices) seen.add(sampleKey(train.pixels, index, train.labels[index]!));
    const positions: number[] = [];
    evaluation.indices.forEach((index, position) => {
      if (seen.has(sampleKey(evaluation.dataset.pixels, index, evaluation.dataset.labels[index]!)))
        positions.push(position);
    });
    writeJsonAtomic(record, {
      overlap: positions.length,
      positions,
      evaluated: evaluation.indices.length,
      runId: spec.runId,
      checkedAt: new Date().toISOString(),
    });
    return positions;
  } catch (error) {
    // E.g. the run trained on scratch data that is not on this machine: say so rather than report no overlap.
    log(
      `overlap check skipped: ${error instanceof Error ? error.message.split("\n")[0] : String(error)} (the report has no trainingOverlap)`,
    );
    return undefined;
  }
}
