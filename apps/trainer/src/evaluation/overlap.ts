import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PIXELS_PER_SAMPLE, type Dataset } from "../dataset/types";
import type { Subset } from "../dataset/cache";
import { partition } from "../training/run";
import { loadOrImport } from "../dataset/load";
import { readSpec, RUN_FILES } from "../training/run-files";
import { fromRecordedPath } from "../util/paths";

const sampleKey = (pixels: Uint8Array, index: number, label: number): string =>
  createHash("sha1").update(pixels.subarray(index * PIXELS_PER_SAMPLE, (index + 1) * PIXELS_PER_SAMPLE)).update(String(label)).digest("base64");

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

/**
 * How many evaluation samples (same pixels and label) were in the model's training part. Needs the run's folder
 * (for its spec) and its training data (cache or source); returns undefined when they are not available here.
 */
export async function countTrainingOverlap(
  evaluation: Subset,
  runDirectory: string,
  cacheDirectory: string,
): Promise<number | undefined> {
  try {
    const spec = readSpec(runDirectory);
    const load = async (source: string, kind: Dataset["manifest"]["source"]["kind"]) =>
      (await loadOrImport(fromRecordedPath(source), { kind, cacheDirectory })).dataset;
    const train = await load(spec.data.train.source, spec.data.train.kind);
    const val = spec.data.val ? await load(spec.data.val.source, spec.data.val.kind) : null;
    const parts = partition(spec.config, train, val);
    const seen = new Set<string>();
    for (const index of parts.train.indices) seen.add(sampleKey(train.pixels, index, train.labels[index]!));
    let overlap = 0;
    for (const index of evaluation.indices) {
      if (seen.has(sampleKey(evaluation.dataset.pixels, index, evaluation.dataset.labels[index]!))) overlap += 1;
    }
    return overlap;
  } catch {
    return undefined;
  }
}
