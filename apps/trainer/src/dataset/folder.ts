import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { AppError, EMOTIONS, emotionFromFolderName, type Emotion } from "@moodlens/shared";
import { preprocessCrop } from "@moodlens/model";
import type { ImportedSamples, Split } from "./types";
import { mapLimit } from "../util/concurrency";

/** Folder names that mean a split when they sit above the class folders (`fer2013/{train,val}/<emotion>`). */
const SPLIT_FOLDERS: Readonly<Record<string, Split>> = {
  train: "train",
  training: "train",
  val: "val",
  valid: "val",
  validation: "val",
  publictest: "val",
  test: "test",
  privatetest: "test",
};

/** FER-2013 file names keep their original split (`Training_123.jpg`, `PublicTest_…`, `PrivateTest_…`). */
export function splitFromFileName(name: string): Split | undefined {
  const lower = name.toLowerCase();
  if (lower.startsWith("training_")) return "train";
  if (lower.startsWith("publictest_")) return "val";
  if (lower.startsWith("privatetest_")) return "test";
  return undefined;
}

/** Files to try: everything but hidden files and obvious non-images (decoding decides the rest, as corrupt). */
const NOT_IMAGES = /\.(txt|md|json|csv|xml|db|ini)$/i;

function listFiles(directory: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(directory, entry.name);
    // Symlinked trees (a subset linked from a bigger dataset) count as the files they point to.
    const kind = entry.isSymbolicLink() ? safeStat(path) : entry;
    if (kind?.isDirectory()) out.push(...listFiles(path));
    else if (kind?.isFile() && !NOT_IMAGES.test(entry.name)) out.push(path);
  }
  return out.sort();
}

function safeStat(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined; // dangling link
  }
}

const subfolders = (directory: string): string[] =>
  readdirSync(directory, { withFileTypes: true })
    .filter(
      (entry) =>
        !entry.name.startsWith(".") &&
        (entry.isDirectory() ||
          (entry.isSymbolicLink() && safeStat(join(directory, entry.name))?.isDirectory())),
    )
    .map((entry) => entry.name)
    .sort();

export interface LabelledFile {
  path: string;
  label: Emotion;
  split: Split | undefined;
}

export interface FolderScan {
  files: LabelledFile[];
  /** Folder name -> image count, for folders whose name is not one of our labels. */
  skipped: Record<string, number>;
}

/**
 * Reads a folder-per-class tree: `<root>/<label>/…` or `<root>/<split>/<label>/…`. Folder names go through the
 * shared alias table (anger→angry, sadness→sad, …); labels the model lacks (contempt) are counted and skipped.
 */
export function scanFolderTree(root: string): FolderScan {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new AppError("BAD_USER_INPUT", `${root} is not a folder`, {
      hint: "pass a folder with one subfolder per emotion",
    });
  }
  const files: LabelledFile[] = [];
  const skipped: Record<string, number> = {};
  const scanClasses = (directory: string, split: Split | undefined) => {
    for (const name of subfolders(directory)) {
      const label = emotionFromFolderName(name);
      const inside = listFiles(join(directory, name));
      if (!label) {
        const key = split ? `${basename(directory)}/${name}` : name;
        skipped[key] = (skipped[key] ?? 0) + inside.length;
        continue;
      }
      for (const path of inside) files.push({ path, label, split });
    }
  };
  const top = subfolders(root);
  const splitFolders = top.filter((name) => SPLIT_FOLDERS[name.toLowerCase()] !== undefined);
  if (splitFolders.length > 0 && splitFolders.length === top.length) {
    for (const name of splitFolders) scanClasses(join(root, name), SPLIT_FOLDERS[name.toLowerCase()]);
  } else {
    scanClasses(root, undefined);
  }
  return { files, skipped };
}

/** Rejects trees a classifier cannot learn from: nothing usable, or a single class. */
export function assertTrainable(
  labels: readonly number[],
  root: string,
  skipped: Record<string, number>,
): void {
  if (labels.length === 0) {
    const note =
      Object.keys(skipped).length > 0 ? ` (skipped folders: ${Object.keys(skipped).join(", ")})` : "";
    throw new AppError("DATASET_INVALID", `no usable images in ${root}${note}`, {
      hint: `expected subfolders named after emotions: ${EMOTIONS.join(", ")}`,
    });
  }
  const present = new Set(labels);
  if (present.size < 2) {
    throw new AppError(
      "DATASET_INVALID",
      `${root} holds only one class (${EMOTIONS[[...present][0]!]}); a classifier needs at least two`,
      {
        hint: "add folders for the other emotions",
      },
    );
  }
}

export interface FolderImportOptions {
  /** Split for files whose name and folder say nothing (default "train"). */
  defaultSplit?: Split;
  /** Parallel decodes (sharp runs them on libuv's pool). */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
  /** Check the tree has at least two classes (training); evaluation accepts one. */
  requireTrainable?: boolean;
}

/** Imports a folder-per-class tree of face crops through @moodlens/model's preprocessCrop. */
export async function importFolderTree(
  root: string,
  options: FolderImportOptions = {},
): Promise<ImportedSamples> {
  const { files, skipped } = scanFolderTree(root);
  const decoded = await mapLimit(
    files,
    options.concurrency ?? 8,
    async (file) => {
      try {
        return await preprocessCrop(file.path);
      } catch {
        return null;
      }
    },
    options.onProgress,
  );
  const samples: ImportedSamples = {
    pixels: [],
    labels: [],
    splits: [],
    report: { skipped, corrupt: [], noFace: [] },
  };
  files.forEach((file, i) => {
    const crop = decoded[i];
    if (!crop) {
      samples.report.corrupt.push(relative(root, file.path));
      return;
    }
    samples.pixels.push(crop);
    samples.labels.push(EMOTIONS.indexOf(file.label));
    const fromName = file.split ? undefined : splitFromFileName(basename(file.path));
    if (fromName) samples.report.splitFromFileNames = (samples.report.splitFromFileNames ?? 0) + 1;
    samples.splits.push(file.split ?? fromName ?? options.defaultSplit ?? "train");
  });
  if (options.requireTrainable !== false) assertTrainable(samples.labels, root, skipped);
  else if (samples.labels.length === 0) assertTrainable(samples.labels, root, skipped);
  return samples;
}
