import type { Subset } from "../dataset/cache";
import { PIXELS_PER_SAMPLE } from "../dataset/types";
import type { Rng } from "../util/rng";
import { augmentCrop } from "./augment";
import type { AugmentationConfig } from "./config";

/** One training batch: crops are views into the caller's reusable pixel buffer (augmented copies of the samples). */
export interface Batch {
  size: number;
  labels: Int32Array;
  /** The samples' indices in the dataset (what distillation's soft labels are keyed by). */
  indices: Uint32Array;
  crops: Uint8Array[];
}

/** Copies samples order[start, start + size) into `pixels`, augmenting each when the run augments. */
export function fillBatch(
  train: Subset,
  order: Uint32Array,
  start: number,
  size: number,
  pixels: Uint8Array,
  augmentation: AugmentationConfig | null,
  augmentRng: Rng,
): Batch {
  const labels = new Int32Array(size);
  const indices = order.slice(start, start + size);
  const crops: Uint8Array[] = [];
  for (let i = 0; i < size; i++) {
    const index = indices[i]!;
    labels[i] = train.dataset.labels[index]!;
    const source = train.dataset.pixels.subarray(index * PIXELS_PER_SAMPLE, (index + 1) * PIXELS_PER_SAMPLE);
    const target = pixels.subarray(i * PIXELS_PER_SAMPLE, (i + 1) * PIXELS_PER_SAMPLE);
    if (augmentation) augmentCrop(source, target, augmentation, augmentRng);
    else target.set(source);
    crops.push(target);
  }
  return { size, labels, indices, crops };
}
