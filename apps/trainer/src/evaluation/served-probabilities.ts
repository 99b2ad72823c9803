import {
  NO_INPUT_FILTER,
  createOnnxClassifier,
  exportOnnx,
  mirrorCrop,
  type ModelMetadata,
  type tf,
} from "@moodlens/model";
import { EMOTIONS } from "@moodlens/shared";
import type { Subset } from "../dataset/cache";
import { PREDICT_BATCH, batchCrops, predictProbabilities, type PredictOptions } from "./predict";

const CLASSES = EMOTIONS.length;

/**
 * The plain softmax rows of the network as it is served. A model whose model.onnx is the int8 graph
 * (metadata.onnxQuantization) is served by that graph, so its figures are measured on the same int8 graph, rebuilt
 * from the weights and the recorded ranges without the calibration (evaluate and calibrate apply that themselves);
 * any other model by its float weights (the ONNX export of those matches them within 1e-3, checked at load).
 */
export async function servedProbabilities(
  model: tf.LayersModel,
  metadata: Pick<ModelMetadata, "onnxQuantization">,
  subset: Subset,
  options: Pick<PredictOptions, "tta" | "inputFilter"> = {},
): Promise<Float32Array> {
  if (!metadata.onnxQuantization) return predictProbabilities(model, subset, options);
  const session = await createOnnxClassifier(exportOnnx(model, { quantization: metadata.onnxQuantization }));
  const { tta = false, inputFilter = NO_INPUT_FILTER } = options;
  const count = subset.indices.length;
  const out = new Float32Array(count * CLASSES);
  try {
    for (let start = 0; start < count; start += PREDICT_BATCH) {
      const crops = batchCrops(subset, start, Math.min(count, start + PREDICT_BATCH), inputFilter);
      const plain = (await session.classify(crops)).flatMap((row) => Array.from(row));
      if (tta) {
        const mirrored = (await session.classify(crops.map((crop) => mirrorCrop(crop)))).flatMap((row) =>
          Array.from(row),
        );
        for (let i = 0; i < plain.length; i++) plain[i] = (plain[i]! + mirrored[i]!) / 2;
      }
      out.set(plain, start * CLASSES);
    }
  } finally {
    await session.dispose();
  }
  return out;
}
