import { AppError, EMOTIONS, type Emotion } from "@moodlens/shared";
import { registerWasmTrainingKernels } from "../backend";
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

/**
 * SmoothGrad saliency: the mean absolute gradient of log p(class) w.r.t. the input pixels over noisy copies
 * of the crop. Needs a tfjs model (gradients); works on every backend (wasm uses our registered gradient kernels).
 */
export function computeSaliency(model: tf.LayersModel, crop: Uint8Array, options: SaliencyOptions = {}): SaliencyMap {
  const { samples, noise, seed } = { ...SALIENCY_DEFAULTS, ...options };
  if (crop.length !== INPUT_SIZE * INPUT_SIZE) {
    throw new AppError("BAD_USER_INPUT", `explain takes one ${INPUT_SIZE}x${INPUT_SIZE} gray crop (${INPUT_SIZE * INPUT_SIZE} bytes), got ${crop.length}`);
  }
  if (tf.getBackend() === "wasm") registerWasmTrainingKernels();
  const { values, classIndex } = tf.tidy(() => {
    const input = toModelInput([crop]);
    const predicted =
      options.classIndex ?? ((model.predict(input) as tf.Tensor2D).argMax(1).dataSync()[0] as number);
    if (!(predicted >= 0 && predicted < EMOTIONS.length)) {
      throw new AppError("BAD_USER_INPUT", `classIndex must be 0..${EMOTIONS.length - 1}`);
    }
    const logProbability = (x: tf.Tensor) =>
      tf.log(tf.add((model.predict(x) as tf.Tensor2D).slice([0, predicted], [-1, 1]), 1e-7)).sum();
    const gradient = tf.grad(logProbability);
    const noisy = input.tile([samples, 1, 1, 1]).add(tf.randomNormal([samples, INPUT_SIZE, INPUT_SIZE, 1], 0, noise, "float32", seed));
    const map = gradient(noisy).abs().mean(0).reshape([INPUT_SIZE * INPUT_SIZE]);
    return { values: map.dataSync() as Float32Array, classIndex: predicted };
  });
  return {
    size: INPUT_SIZE,
    values: toBytes(blur(values, INPUT_SIZE)),
    classIndex,
    emotion: EMOTIONS[classIndex]!,
    method: "smoothgrad",
  };
}
