import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Emotion } from "@moodlens/shared";
import { INPUT_SIZE } from "../core/constants";

/**
 * FER-2013 crops are preprocessed ONCE by the parent (with @moodlens/model's preprocessCrop) and handed to every
 * system's process as one binary file: the peers and our model see byte-identical 48x48 gray faces.
 */
export interface CropSet {
  crops: Uint8Array[];
  labels: number[];
  perClass: Record<Emotion, number>;
  sample: string;
}

const PIXELS = INPUT_SIZE * INPUT_SIZE;

export async function writeCropSet(set: CropSet, dir: string, name: string): Promise<string> {
  const pixels = new Uint8Array(set.crops.length * PIXELS);
  set.crops.forEach((crop, index) => pixels.set(crop, index * PIXELS));
  const base = join(dir, name);
  await writeFile(`${base}.bin`, pixels);
  await writeFile(
    `${base}.json`,
    JSON.stringify({ labels: set.labels, perClass: set.perClass, sample: set.sample }),
  );
  return base;
}

export async function readCropSet(base: string): Promise<CropSet> {
  const pixels = new Uint8Array(await readFile(`${base}.bin`));
  const meta = JSON.parse(await readFile(`${base}.json`, "utf8")) as Omit<CropSet, "crops">;
  const crops = meta.labels.map((_, index) => pixels.subarray(index * PIXELS, (index + 1) * PIXELS));
  return { crops, ...meta };
}
