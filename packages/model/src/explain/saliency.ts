import { AppError, EMOTIONS, type Emotion } from "@moodlens/shared";
import { registerWasmTrainingKernels } from "../backend";
import { applyCalibrationToRows, type ServedCalibration } from "../calibration";
import { INPUT_SIZE, toModelInput } from "../preprocess";
import { tf } from "../tf";

/** Which pixels of the 48x48 crop moved the predicted emotion most: 0..255, row-major, aligned with the crop. */
export interface SaliencyMap {
  size: number;
  values: Uint8Array;
  classIndex: number;
  emotion: Emotion;
  method: "smoothgrad";
}

export const SALIENCY_DEFAULTS = {
  /** Noisy copies averaged (SmoothGrad): plain gradients of a small CNN are speckled; 8 copies give stable maps. */
  samples: 8,
  /** Noise standard deviation on the [0, 1] input scale (~10-15 % of the range, as in the SmoothGrad paper). */
  noise: 0.12,
  seed: 7,
};

export type SaliencyOptions = Partial<typeof SALIENCY_DEFAULTS> & {
  /** Explain this class instead of the predicted one. */
  classIndex?: number;
  /** The model's served calibration: the predicted class is the served decision, not the raw softmax's argmax. */
  calibration?: ServedCalibration;
};

/** 3x3 box blur: gradient maps are pixel-noisy; the eye reads regions, not single pixels. */
function blur(values: Float32Array, size: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      let count = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy < 0 || yy >= size || xx < 0 || xx >= size) continue;
          sum += values[yy * size + xx]!;
          count++;
        }
      }
      out[y * size + x] = sum / count;
    }
  }
  return out;
}

/** Scales to 0..255 with the 99th percentile as white, so one extreme pixel does not wash out the map. */
function toBytes(values: Float32Array): Uint8Array {
  const sorted = Float32Array.from(values).sort();
  const top = sorted[Math.floor(0.99 * (sorted.length - 1))]! || sorted[sorted.length - 1]! || 1;
  return Uint8Array.from(values, (value) => Math.round(Math.min(1, value / top) * 255));
}

function predictedClasses(probabilities: tf.Tensor2D, calibration: ServedCalibration | undefined): number[] {
  const rows = probabilities.dataSync() as Float32Array;
  const served = calibration ? applyCalibrationToRows(rows, EMOTIONS.length, calibration) : rows;
  return Array.from({ length: probabilities.shape[0] }, (_, row) => {
    let best = 0;
    for (let c = 1; c < EMOTIONS.length; c++)
      if (served[row * EMOTIONS.length + c]! > served[row * EMOTIONS.length + best]!) best = c;
    return best;
  });
}

/**
 * SmoothGrad saliency: the mean absolute gradient of log p(class) w.r.t. the input pixels over noisy copies
 * of the crop. Needs a tfjs model (gradients); works on every backend (wasm uses our registered gradient kernels).
 */
export function computeSaliency(
  model: tf.LayersModel,
  crop: Uint8Array,
  options: SaliencyOptions = {},
): SaliencyMap {
  const classIndices = options.classIndex === undefined ? undefined : [options.classIndex];
  return computeSaliencies(model, [crop], { ...options, ...(classIndices ? { classIndices } : {}) })[0]!;
}

/**
 * Saliency maps of many crops in one gradient pass (faces of one photo): in inference mode every output row
 * depends on its own input only, so the gradient of the summed log-probabilities holds each face's own gradient.
 */
export function computeSaliencies(
  model: tf.LayersModel,
  crops: readonly Uint8Array[],
  options: Omit<SaliencyOptions, "classIndex"> & { classIndices?: readonly number[] } = {},
): SaliencyMap[] {
  const { samples, noise, seed } = { ...SALIENCY_DEFAULTS, ...options };
  if (crops.length === 0) return [];
  for (const crop of crops) {
    if (crop.length !== INPUT_SIZE * INPUT_SIZE) {
      throw new AppError(
        "BAD_USER_INPUT",
        `explain takes ${INPUT_SIZE}x${INPUT_SIZE} gray crops (${INPUT_SIZE * INPUT_SIZE} bytes), got ${crop.length}`,
      );
    }
  }
  if (
    options.classIndices?.some((index) => !(Number.isInteger(index) && index >= 0 && index < EMOTIONS.length))
  ) {
    throw new AppError("BAD_USER_INPUT", `classIndex must be 0..${EMOTIONS.length - 1}`);
  }
  if (tf.getBackend() === "wasm") registerWasmTrainingKernels();
  const pixels = INPUT_SIZE * INPUT_SIZE;
  let classes: number[] = options.classIndices ? [...options.classIndices] : [];
  const maps = tf.tidy(() => {
    const input = toModelInput(crops);
    if (!options.classIndices)
      classes = predictedClasses(model.predict(input) as tf.Tensor2D, options.calibration);
    // Row r of the noisy batch is crop floor(r / samples); pick its class's probability with a one-hot mask.
    const mask = tf.oneHot(
      tf.tensor1d(
        classes.flatMap((c) => Array<number>(samples).fill(c)),
        "int32",
      ),
      EMOTIONS.length,
    );
    const logProbability = (x: tf.Tensor) =>
      tf.log(tf.add(tf.sum(tf.mul(model.predict(x) as tf.Tensor2D, mask), 1), 1e-7)).sum();
    const noisy = tf
      .reshape(tf.tile(tf.expandDims(input, 1), [1, samples, 1, 1, 1]), [
        crops.length * samples,
        INPUT_SIZE,
        INPUT_SIZE,
        1,
      ])
      .add(tf.randomNormal([crops.length * samples, INPUT_SIZE, INPUT_SIZE, 1], 0, noise, "float32", seed));
    const gradients = tf.grad(logProbability)(noisy);
    const perCrop = gradients.abs().reshape([crops.length, samples, pixels]).mean(1);
    return perCrop.dataSync() as Float32Array;
  });
  return crops.map((_, index) => ({
    size: INPUT_SIZE,
    values: toBytes(blur(maps.subarray(index * pixels, (index + 1) * pixels), INPUT_SIZE)),
    classIndex: classes[index]!,
    emotion: EMOTIONS[classes[index]!]!,
    method: "smoothgrad" as const,
  }));
}
