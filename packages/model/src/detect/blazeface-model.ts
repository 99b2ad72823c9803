import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { AppError } from "@moodlens/shared";
import { tf } from "../tf";

/**
 * BlazeFace, MediaPipe's short-range face detector (the 256x256 "back camera" variant), as shipped
 * inside @vladmandic/human (MIT; weights by Google MediaPipe, Apache-2.0). The weights travel with the npm package:
 * nothing is downloaded at run time.
 */
export const BLAZEFACE_INPUT_SIZE = 256;
/** Output rows: 16x16 grid x 2 anchors (stride 16), then 8x8 grid x 6 anchors (stride 32). */
export const BLAZEFACE_ANCHOR_COUNT = 896;
/** Per anchor: 1 logit, box centre dx dy, box w h, 6 landmarks x y. */
export const BLAZEFACE_VALUES_PER_ANCHOR = 17;

const require = createRequire(import.meta.url);

export function blazefaceModelPath(): string {
  // The package's exports map hides package.json; resolve a listed file (resolution only, nothing is loaded).
  const distFile = require.resolve("@vladmandic/human");
  return join(dirname(distFile), "..", "models", "blazeface.json");
}

interface GraphModelJson {
  modelTopology: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** A tfjs IO handler that reads a converted graph model from disk (tfjs' file:// handler needs tfjs-node). */
export function fileGraphModelHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(modelJsonPath, "utf8")) as GraphModelJson;
      const folder = dirname(modelJsonPath);
      const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
      const chunks = await Promise.all(
        json.weightsManifest.flatMap((group) => group.paths.map((path) => readFile(join(folder, path)))),
      );
      const weights = Buffer.concat(chunks);
      return {
        modelTopology: json.modelTopology as tf.io.ModelArtifacts["modelTopology"],
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      };
    },
  };
}

export async function loadBlazeface(modelJsonPath: string = blazefaceModelPath()): Promise<tf.GraphModel> {
  try {
    return await tf.loadGraphModel(fileGraphModelHandler(modelJsonPath));
  } catch (cause) {
    throw new AppError("MODEL_INVALID", `could not load the face detector from ${modelJsonPath}`, {
      cause,
      hint: "reinstall @vladmandic/human (npm ci); its models/ folder holds the detector weights",
    });
  }
}

/** Anchor centres in input pixels, in the model's output order. */
export function blazefaceAnchors(inputSize: number = BLAZEFACE_INPUT_SIZE): Float32Array {
  const layers = [
    { stride: inputSize / 16, perCell: 2 },
    { stride: inputSize / 8, perCell: 6 },
  ];
  const anchors: number[] = [];
  for (const { stride, perCell } of layers) {
    const cells = Math.ceil(inputSize / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let n = 0; n < perCell; n++) anchors.push(stride * (x + 0.5), stride * (y + 0.5));
      }
    }
  }
  return Float32Array.from(anchors);
}

/** Strides of the two anchor grids (2 anchors per cell, then 6), in input pixels. */
export const BLAZEFACE_STRIDES = [
  { stride: 16, perCell: 2 },
  { stride: 32, perCell: 6 },
] as const;

const anchorGrids = new Map<string, Float32Array>();

/**
 * Anchor centres for a view of any size (the converted ONNX graph is fully convolutional): the same grids as
 * `blazefaceAnchors()` at 256x256, extended. Cached per size (views of a level share one).
 */
export function blazefaceAnchorGrid(width: number, height: number): Float32Array {
  const key = `${width}x${height}`;
  let anchors = anchorGrids.get(key);
  if (!anchors) {
    const values: number[] = [];
    for (const { stride, perCell } of BLAZEFACE_STRIDES) {
      for (let y = 0; y < Math.ceil(height / stride); y++) {
        for (let x = 0; x < Math.ceil(width / stride); x++) {
          for (let n = 0; n < perCell; n++) values.push(stride * (x + 0.5), stride * (y + 0.5));
        }
      }
    }
    anchors = Float32Array.from(values);
    if (anchorGrids.size > 256) anchorGrids.clear();
    anchorGrids.set(key, anchors);
  }
  return anchors;
}

/** Per anchor after the logit: box centre dx dy, width, height, six landmarks x y (input pixels, from the anchor). */
export const BLAZEFACE_REGRESSORS = BLAZEFACE_VALUES_PER_ANCHOR - 1;

/**
 * The network's outputs for one view, per anchor grid in `blazefaceAnchorGrid` order (stride 16, then stride 32):
 * one score logit and BLAZEFACE_REGRESSORS values per anchor. The ONNX engine hands its output heads over as they
 * are (no copy into 17-value rows).
 */
export interface BlazefaceOutputs {
  grids: { logits: Float32Array; regressors: Float32Array }[];
}

/** `runBlazeface`'s rows (one 256x256 view) as per-grid outputs. */
export function outputsFromRows(raw: Float32Array): BlazefaceOutputs {
  const size = BLAZEFACE_INPUT_SIZE;
  const counts = BLAZEFACE_STRIDES.map(({ stride, perCell }) => (size / stride) ** 2 * perCell);
  let first = 0;
  const grids = counts.map((count) => {
    const logits = new Float32Array(count);
    const regressors = new Float32Array(count * BLAZEFACE_REGRESSORS);
    for (let index = 0; index < count; index++) {
      const row = (first + index) * BLAZEFACE_VALUES_PER_ANCHOR;
      logits[index] = raw[row]!;
      regressors.set(raw.subarray(row + 1, row + BLAZEFACE_VALUES_PER_ANCHOR), index * BLAZEFACE_REGRESSORS);
    }
    first += count;
    return { logits, regressors };
  });
  return { grids };
}

/**
 * Runs the network on one 256x256 RGB uint8 image and returns its 896 x 17 raw outputs, rows in anchor order.
 * The four output heads (scores and regressors of the two grids) are recognised by size, as their names vary
 * between conversions.
 */
export function runBlazeface(model: tf.GraphModel, rgb256: Uint8Array): Float32Array {
  const size = BLAZEFACE_INPUT_SIZE;
  const outputs = tf.tidy(() => {
    const input = tf.tensor4d(rgb256, [1, size, size, 3], "int32").toFloat().div(127.5).sub(1);
    const heads = (model.execute(input) as tf.Tensor[]).slice().sort((a, b) => a.size - b.size);
    const [scores384, scores512, boxes384, boxes512] = heads as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const fine = tf.concat([scores512, boxes512], 2);
    const coarse = tf.concat([scores384, boxes384], 2);
    return tf.concat([fine, coarse], 1);
  });
  const values = outputs.dataSync() as Float32Array;
  outputs.dispose();
  return values;
}
