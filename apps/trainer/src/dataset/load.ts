import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "@moodlens/shared";
import { buildDataset, cacheNameFor, isDatasetCache, readDatasetCache, writeDatasetCache } from "./cache";
import { importFer2013Csv } from "./csv";
import { importFolderTree } from "./folder";
import { sourceSignature } from "./source-signature";
import type { Dataset, ImportedSamples, SourceKind, Split } from "./types";
import { toRecordedPath } from "../util/paths";
import { ProgressBar } from "../util/progress";

export interface ImportSourceOptions {
  kind?: SourceKind;
  cacheDirectory: string;
  /** Rebuild even when a cache for this source exists. */
  force?: boolean;
  name?: string;
  defaultSplit?: Split;
  requireTrainable?: boolean;
  log?: (line: string) => void;
  /** Show decoding as a progress bar on stderr named after the step (e.g. "overlap check: decoding …"). */
  progressLabel?: string;
}

export function detectKind(path: string): SourceKind {
  if (!existsSync(path)) throw new AppError("BAD_USER_INPUT", `${path} does not exist`);
  return statSync(path).isDirectory() ? "folder" : "csv";
}

async function importSamples(
  path: string,
  kind: SourceKind,
  options: ImportSourceOptions,
): Promise<ImportedSamples> {
  const log = options.log ?? (() => {});
  if (kind === "csv") return importFer2013Csv(path, { requireTrainable: options.requireTrainable });
  if (kind === "photos") {
    const { importPhotoTree } = await import("./photos");
    return importPhotoTree(path, { requireTrainable: options.requireTrainable, log });
  }
  let last = 0;
  let bar: ProgressBar | undefined;
  return importFolderTree(path, {
    defaultSplit: options.defaultSplit,
    requireTrainable: options.requireTrainable,
    onProgress: (done, total) => {
      if (options.progressLabel) {
        bar ??= new ProgressBar(options.progressLabel, total, process.stderr, 10);
        bar.update(done);
        if (done === total) bar.done(`${options.progressLabel}: ${total} images decoded`);
      } else if (done === total || done - last >= 5000) {
        last = done;
        log(`  decoded ${done}/${total}`);
      }
    },
  });
}

/**
 * Turns a `--data`/`--val` argument into a dataset: a cache folder is read as is; a source (folder tree or CSV)
 * is imported once into MOODLENS_CACHE_DIR and read from there afterwards.
 */
export async function loadOrImport(
  path: string,
  options: ImportSourceOptions,
): Promise<{ dataset: Dataset; directory: string; imported: boolean }> {
  if (isDatasetCache(path)) return { dataset: readDatasetCache(path), directory: path, imported: false };
  const kind = options.kind ?? detectKind(path);
  const directory = join(options.cacheDirectory, options.name ?? cacheNameFor(path, kind));
  const signature = sourceSignature(path);
  if (!options.force && isDatasetCache(directory)) {
    const cached = readDatasetCache(directory);
    // A source that is gone leaves its cache in charge; one whose files changed is imported again.
    if (signature === undefined || cached.manifest.sourceSignature === signature)
      return { dataset: cached, directory, imported: false };
    options.log?.(
      cached.manifest.sourceSignature === undefined
        ? `${toRecordedPath(path)} was cached before caches kept their source's file list: importing it again`
        : `${toRecordedPath(path)} changed since it was cached: importing it again`,
    );
  }
  options.log?.(`importing ${toRecordedPath(path)} (${kind}) into ${toRecordedPath(directory)}`);
  const samples = await importSamples(path, kind, options);
  const dataset = buildDataset(samples, { kind, path }, options.name ?? cacheNameFor(path, kind));
  if (signature !== undefined) dataset.manifest.sourceSignature = signature;
  writeDatasetCache(directory, dataset);
  return { dataset, directory, imported: true };
}

/** Imports without caching (evaluate on an arbitrary tree must not leave caches behind by default). */
export async function importUncached(
  path: string,
  options: Omit<ImportSourceOptions, "cacheDirectory">,
): Promise<Dataset> {
  const kind = options.kind ?? detectKind(path);
  const samples = await importSamples(path, kind, { ...options, cacheDirectory: "" });
  return buildDataset(samples, { kind, path }, options.name ?? cacheNameFor(path, kind));
}

/** Decodes a held-out folder, CSV or photo tree for evaluate and calibrate: uncached, untrainable splits allowed. */
export function importEvaluationData(
  path: string,
  kind: SourceKind | undefined,
  log: (line: string) => void,
): Promise<Dataset> {
  return importUncached(path, {
    ...(kind ? { kind } : {}),
    requireTrainable: false,
    log,
    progressLabel: `decoding ${toRecordedPath(path)}`,
  });
}
