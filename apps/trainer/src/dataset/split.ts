import { AppError, EMOTIONS } from "@moodlens/shared";
import { Rng } from "../util/rng";
import type { Dataset } from "./types";

/**
 * Stratified, seeded split of some samples into train/validation: each class is shuffled with its own stream
 * and `fraction` of it (rounded, at least one when the class has two or more samples) goes to validation, so rare
 * classes like disgust are represented in both parts and the same seed always gives the same split.
 */
export function stratifiedSplit(
  dataset: Dataset,
  indices: Uint32Array,
  fraction: number,
  seed: number,
): { train: Uint32Array; val: Uint32Array } {
  const byClass = EMOTIONS.map(() => [] as number[]);
  for (const index of indices) byClass[dataset.labels[index]!]!.push(index);
  const train: number[] = [];
  const val: number[] = [];
  byClass.forEach((members, label) => {
    const rng = Rng.derive(seed, "split", label);
    rng.shuffle(members);
    const take = members.length >= 2 ? Math.max(1, Math.round(members.length * fraction)) : 0;
    val.push(...members.slice(0, take));
    train.push(...members.slice(take));
  });
  if (val.length === 0 || train.length === 0) {
    throw new AppError(
      "DATASET_INVALID",
      `too few images (${indices.length}) to split off a validation set`,
      {
        hint: "add images or pass an explicit --val folder",
      },
    );
  }
  return {
    train: Uint32Array.from(train.sort((a, b) => a - b)),
    val: Uint32Array.from(val.sort((a, b) => a - b)),
  };
}

/** Per-class loss weights, normalised so the average weight over the training samples is 1. */
export function classWeights(labels: Uint8Array, mode: "none" | "sqrt" | "balanced"): number[] {
  const counts = EMOTIONS.map(() => 0);
  for (const label of labels) counts[label]! += 1;
  if (mode === "none") return counts.map(() => 1);
  const present = counts.filter((count) => count > 0).length;
  const raw = counts.map((count) => {
    if (count === 0) return 0;
    const inverse = labels.length / (present * count);
    return mode === "balanced" ? inverse : Math.sqrt(inverse);
  });
  const mean = raw.reduce((sum, weight, label) => sum + weight * counts[label]!, 0) / labels.length;
  return raw.map((weight) => weight / mean);
}
