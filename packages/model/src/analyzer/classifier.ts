import { tf } from "../tf";
import { mirrorCrop, toModelInput } from "../preprocess";

/** Turns 48x48 gray crops into softmax probabilities (EMOTIONS order, not temperature-scaled). */
export interface EmotionClassifier {
  readonly kind: "onnx" | "tfjs";
  classify(crops: readonly Uint8Array[]): Promise<Float32Array[]>;
  dispose(): void | Promise<void>;
}

/** Faces per forward pass: large enough to amortise per-call overhead, small enough to bound memory. */
export const CLASSIFY_BATCH = 64;

export interface ClassifierOptions {
  /** Test-time augmentation: average the prediction of the crop and its mirror image. */
  tta?: boolean;
}

function splitRows(values: Float32Array, columns: number): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let offset = 0; offset < values.length; offset += columns)
    rows.push(values.slice(offset, offset + columns));
  return rows;
}

export function createTfjsClassifier(
  model: tf.LayersModel,
  options: ClassifierOptions = {},
): EmotionClassifier {
  const classes = (model.outputs[0]?.shape[1] as number | undefined) ?? 7;
  return {
    kind: "tfjs",
    async classify(crops) {
      const rows: Float32Array[] = [];
      for (let start = 0; start < crops.length; start += CLASSIFY_BATCH) {
        const batch = crops.slice(start, start + CLASSIFY_BATCH);
        const output = tf.tidy(() => {
          const plain = model.predict(toModelInput(batch)) as tf.Tensor2D;
          if (!options.tta) return plain;
          const mirrored = model.predict(toModelInput(batch.map((crop) => mirrorCrop(crop)))) as tf.Tensor2D;
          return plain.add(mirrored).div(2);
        });
        const values = (await output.data()) as Float32Array;
        output.dispose();
        rows.push(...splitRows(values, classes));
      }
      return rows;
    },
    dispose() {
      // The model belongs to the analyzer (it also serves explanations); it disposes it.
    },
  };
}
