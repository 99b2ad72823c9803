import { fingerprintOf, sampleIndicesOfSplits, type Subset } from "./cache";
import { stratifiedSplit } from "./split";
import { PIXELS_PER_SAMPLE, type Dataset } from "./types";

/** The samples a run trains on and the ones it validates on. */
export interface TrainingData {
  train: Subset;
  val: Subset;
}

/**
 * The protocol: with explicit validation data, train on all non-test samples of `data` and validate on all
 * non-test samples of `val`; else use data's val split if it has one, else a stratified seeded split of its train
 * split. Test samples are never touched here (only `evaluate` reads them).
 */
export function partition(
  config: { valFraction: number; seed: number },
  data: Dataset,
  val: Dataset | null,
): TrainingData {
  if (val) {
    return {
      train: { dataset: data, indices: sampleIndicesOfSplits(data, ["train", "val"]) },
      val: { dataset: val, indices: sampleIndicesOfSplits(val, ["train", "val"]) },
    };
  }
  const ownVal = sampleIndicesOfSplits(data, ["val"]);
  if (ownVal.length > 0) {
    return {
      train: { dataset: data, indices: sampleIndicesOfSplits(data, ["train"]) },
      val: { dataset: data, indices: ownVal },
    };
  }
  const split = stratifiedSplit(
    data,
    sampleIndicesOfSplits(data, ["train"]),
    config.valFraction,
    config.seed,
  );
  return { train: { dataset: data, indices: split.train }, val: { dataset: data, indices: split.val } };
}

/** Fingerprint of exactly the samples of one part (recorded in run.json; the model's datasetFingerprint). */
export function subsetFingerprint({ dataset, indices }: Subset): string {
  const pixels = new Uint8Array(indices.length * PIXELS_PER_SAMPLE);
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, i) => {
    pixels.set(
      dataset.pixels.subarray(index * PIXELS_PER_SAMPLE, (index + 1) * PIXELS_PER_SAMPLE),
      i * PIXELS_PER_SAMPLE,
    );
    labels[i] = dataset.labels[index]!;
  });
  return fingerprintOf(pixels, labels, new Uint8Array(indices.length));
}
