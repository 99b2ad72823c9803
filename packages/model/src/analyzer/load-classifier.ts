import { AppError } from "@moodlens/shared";
import { createOnnxClassifier, type OnnxClassifier } from "../onnx";
import { outputGap } from "../onnx/parity";
import { tf } from "../tf";
import {
  NO_CALIBRATION,
  applyCalibration,
  inverseCalibration,
  isIdentityCalibration,
  type ServedCalibration,
} from "../calibration";
import { mirrorCrop } from "../preprocess";
import { createTfjsClassifier, type EmotionClassifier } from "./classifier";
import type { ClassifierKind } from "./config";

/** Wraps the ONNX session; TTA is done here on pixels because the session only sees crops. */
function adaptOnnx(
  session: OnnxClassifier,
  tta: boolean,
  size: number,
  calibrationInGraph: ServedCalibration,
): EmotionClassifier {
  // If the export baked the calibration (temperature, class bias) into the graph, undo it so both engines return
  // plain softmax (TTA averages plain rows, as tfjs does) and the analyzer applies metadata's calibration once.
  const undo = inverseCalibration(calibrationInGraph);
  const plainSoftmax = (row: Float32Array) =>
    isIdentityCalibration(calibrationInGraph) ? row : Float32Array.from(applyCalibration(row, undo));
  const run = async (crops: readonly Uint8Array[]) => (await session.classify(crops)).map(plainSoftmax);
  return {
    kind: "onnx",
    async classify(crops) {
      const plain = await run(crops);
      if (!tta) return plain;
      const mirrored = await run(crops.map((crop) => mirrorCrop(crop, size)));
      return plain.map((row, index) => row.map((value, k) => (value + mirrored[index]![k]!) / 2));
    },
    dispose: () => session.dispose(),
  };
}

/**
 * How far an int8 graph's probabilities may be from the float weights' on the probe crops: 0.0035 measured on the
 * model shipped on 2026-12-07 (onnx/quantize.ts), so about 6x that; a graph of other weights misses by far more.
 */
const QUANTIZED_TOLERANCE = 0.02;

/** A fixed, deterministic probe crop (a soft diagonal gradient with a blob): no dataset needed. */
function probeCrops(size: number): Uint8Array[] {
  const crop = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const blob = Math.exp(-((x - size * 0.4) ** 2 + (y - size * 0.45) ** 2) / (2 * (size / 6) ** 2));
      crop[y * size + x] = Math.round(((x + y) / (2 * size)) * 160 + blob * 90);
    }
  }
  return [crop, mirrorCrop(crop, size)];
}

/**
 * What an ONNX graph may apply after the network: nothing, the model's whole calibration (what the trainer
 * exports), or its temperature alone (exports from before class biases existed).
 */
function graphCalibrations(calibration: ServedCalibration): ServedCalibration[] {
  const candidates = [NO_CALIBRATION];
  if (!isIdentityCalibration(calibration)) candidates.push(calibration);
  if (calibration.classBias && calibration.temperature !== 1)
    candidates.push({ temperature: calibration.temperature });
  return candidates;
}

/**
 * Checks that model.onnx computes what the tfjs weights compute (a stale or foreign export would silently give
 * other answers), and finds out which calibration the export already applies.
 * Returns the calibration inside the ONNX graph (one of graphCalibrations), or throws MODEL_INVALID.
 */
async function checkExportAgainstWeights(
  session: OnnxClassifier,
  model: tf.LayersModel,
  calibration: ServedCalibration,
  size: number,
  quantized: boolean,
): Promise<ServedCalibration> {
  const crops = probeCrops(size);
  const onnxRows = await session.classify(crops);
  const tfjsRows = tf.tidy(() => {
    const input = tf.tensor4d(Float32Array.from(crops.flatMap((crop) => Array.from(crop, (v) => v / 255))), [
      crops.length,
      size,
      size,
      1,
    ]);
    const output = (model.predict(input) as tf.Tensor2D).arraySync();
    return output;
  });
  // An int8 graph is only close to the float weights; it is always exported with the model's whole calibration
  // (quantization is newer than every older export convention), so there is nothing to find out.
  const tolerance = quantized ? QUANTIZED_TOLERANCE : 1e-3;
  const candidates = quantized ? [calibration] : graphCalibrations(calibration);
  const readings = candidates.map((inGraph) => ({
    inGraph,
    gap: outputGap(
      tfjsRows.map((row) => applyCalibration(row, inGraph)),
      onnxRows,
    ).worst,
  }));
  // The closest reading wins, not the first under tolerance: on nearly uniform outputs (an untrained or very unsure
  // net) two gaps can be under 1e-3, and taking "not baked" there applied the temperature twice (seen in tests).
  const closest = readings.reduce((best, reading) => (reading.gap < best.gap ? reading : best));
  if (closest.gap < tolerance) return closest.inGraph;
  throw new AppError(
    "MODEL_INVALID",
    `model.onnx does not match weights.bin (max probability gap ${readings[0]!.gap.toFixed(4)})`,
    {
      hint: "re-export the ONNX file from these weights with the trainer, or delete model.onnx to serve with tfjs",
    },
  );
}

export interface LoadedClassifier {
  classifier: EmotionClassifier;
  fallbackReason?: string;
}

/**
 * Picks the engine: ONNX (7-12x faster than tfjs-wasm, measured) when model.onnx exists, onnxruntime loads and
 * the file agrees with the tfjs weights; else tfjs. "onnx" forced but unavailable is an error, not a slowdown.
 */
export async function loadClassifier(
  kind: ClassifierKind,
  model: tf.LayersModel,
  onnxPath: string | undefined,
  options: { tta: boolean; size: number; calibration: ServedCalibration; quantized?: boolean },
): Promise<LoadedClassifier> {
  if (kind === "tfjs") return { classifier: createTfjsClassifier(model, options) };
  let problem: string;
  if (!onnxPath) {
    problem = "the model directory has no model.onnx";
  } else {
    let session: OnnxClassifier | undefined;
    try {
      session = await createOnnxClassifier(onnxPath);
      const calibrationInGraph = await checkExportAgainstWeights(
        session,
        model,
        options.calibration,
        options.size,
        options.quantized ?? false,
      );
      return { classifier: adaptOnnx(session, options.tta, options.size, calibrationInGraph) };
    } catch (error) {
      await session?.dispose();
      if (kind === "onnx") throw error;
      problem = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    }
  }
  if (kind === "onnx") {
    throw new AppError("CONFIG_INVALID", `classifier "onnx" is not available: ${problem}`, {
      hint: 'use classifier "auto" or "tfjs", or export the model to ONNX with the trainer',
    });
  }
  return { classifier: createTfjsClassifier(model, options), fallbackReason: problem };
}
