import { EMOTIONS } from "@moodlens/shared";
import {
  NO_INPUT_FILTER,
  applyInputFilter,
  mirrorCrop,
  toModelInput,
  tf,
  type InputFilter,
} from "@moodlens/model";
import { PIXELS_PER_SAMPLE } from "../dataset/types";
import type { Subset } from "../dataset/cache";

const CLASSES = EMOTIONS.length;
/** Batch size for validation/prediction passes (no gradients: larger batches are cheaper per image). */
export const PREDICT_BATCH = 256;

export interface PredictOptions {
  batchSize?: number;
  /** Mean of the probabilities of each crop and its mirror image (flip TTA: twice the work, usually a bit better). */
  tta?: boolean;
  /** The model's input filter, applied to every crop first (as the analyzer does when serving). */
  inputFilter?: InputFilter;
  /** Computes the probabilities instead of model.predict (the native engine, holding the same weights). */
  classify?: (crops: readonly Uint8Array[]) => Float32Array;
}

/** Samples `start` to `end - 1` of a subset as 48x48 crops, through the model's input filter (as when serving). */
export function batchCrops(
  subset: Subset,
  start: number,
  end: number,
  inputFilter: InputFilter,
): Uint8Array[] {
  const crops: Uint8Array[] = [];
  for (let i = start; i < end; i++) {
    const offset = subset.indices[i]! * PIXELS_PER_SAMPLE;
    crops.push(
      applyInputFilter(subset.dataset.pixels.subarray(offset, offset + PIXELS_PER_SAMPLE), inputFilter),
    );
  }
  return crops;
}

/** Class probabilities for some samples, in batches; returns [n * 7] float32. */
export function predictProbabilities(
  model: tf.LayersModel,
  subset: Subset,
  options: PredictOptions = {},
): Float32Array {
  const { batchSize = PREDICT_BATCH, tta = false, inputFilter = NO_INPUT_FILTER, classify } = options;
  const count = subset.indices.length;
  const out = new Float32Array(count * CLASSES);
  for (let start = 0; start < count; start += batchSize) {
    const crops = batchCrops(subset, start, Math.min(count, start + batchSize), inputFilter);
    if (classify) out.set(classifyWith(classify, crops, tta), start * CLASSES);
    else predictInto(out, start * CLASSES, model, crops, tta);
  }
  return out;
}

function classifyWith(
  classify: (crops: readonly Uint8Array[]) => Float32Array,
  crops: Uint8Array[],
  tta: boolean,
): Float32Array {
  const plain = classify(crops);
  if (tta) {
    const mirrored = classify(crops.map((crop) => mirrorCrop(crop)));
    for (let i = 0; i < plain.length; i++) plain[i] = (plain[i]! + mirrored[i]!) / 2;
  }
  return plain;
}

function predictInto(
  out: Float32Array,
  offset: number,
  model: tf.LayersModel,
  crops: Uint8Array[],
  tta: boolean,
): void {
  const probabilities = tf.tidy(() => {
    const plain = model.predict(toModelInput(crops)) as tf.Tensor;
    if (!tta) return plain;
    const mirrored = model.predict(toModelInput(crops.map((crop) => mirrorCrop(crop)))) as tf.Tensor;
    return tf.div(tf.add(plain, mirrored), 2);
  });
  out.set(probabilities.dataSync() as Float32Array, offset);
  probabilities.dispose();
}
