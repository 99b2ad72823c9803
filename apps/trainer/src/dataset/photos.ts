import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { EMOTIONS } from "@moodlens/shared";
import { createFaceDetector, cropFace, decodeImage, selectBackend } from "@moodlens/model";
import { assertTrainable, scanFolderTree, splitFromFileName } from "./folder";
import type { ImportedSamples } from "./types";
import { basename } from "node:path";
import { backendPreference } from "../env";

/**
 * Imports a folder-per-class tree of ordinary photos: each photo goes through @moodlens/model's face detector,
 * and its largest face is cropped exactly as the API crops faces (cropFace), so training sees what serving sees.
 * Photos without a face are listed under `noFace`; undecodable files under `corrupt`. Neither is fatal.
 */
export async function importPhotoTree(
  root: string,
  options: { requireTrainable?: boolean; log?: (line: string) => void } = {},
): Promise<ImportedSamples> {
  const { files, skipped } = scanFolderTree(root);
  const samples: ImportedSamples = {
    pixels: [],
    labels: [],
    splits: [],
    report: { skipped, corrupt: [], noFace: [] },
  };
  // The detector runs on tfjs: pick the backend first (MOODLENS_BACKEND, else the fastest available).
  const backend = backendPreference();
  await selectBackend(backend, { logger: options.log ?? (() => {}) });
  const detector = await createFaceDetector({ workerBackend: backend });
  try {
    let done = 0;
    for (const file of files) {
      done += 1;
      if (done % 100 === 0) options.log?.(`  detected faces in ${done}/${files.length} photos`);
      let image;
      try {
        image = await decodeImage(await readFile(file.path));
      } catch {
        samples.report.corrupt.push(relative(root, file.path));
        continue;
      }
      const { faces } = await detector.detect(image);
      const largest = faces.reduce<(typeof faces)[number] | undefined>(
        (best, face) =>
          !best || face.box.width * face.box.height > best.box.width * best.box.height ? face : best,
        undefined,
      );
      if (!largest) {
        samples.report.noFace.push(relative(root, file.path));
        continue;
      }
      samples.pixels.push(await cropFace(image, largest)); // box + keypoints: the analyzer's framing
      samples.labels.push(EMOTIONS.indexOf(file.label));
      samples.splits.push(file.split ?? splitFromFileName(basename(file.path)) ?? "train");
    }
  } finally {
    await detector.dispose();
  }
  if (options.requireTrainable !== false || samples.labels.length === 0)
    assertTrainable(samples.labels, root, skipped);
  return samples;
}
