import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FER_VAL_DIR } from "./group-photos";
import { buildSeededNetwork } from "./model-fixture";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, EMOTIONS } from "@moodlens/shared";
import { tf } from "../src/tf";
import { loadModelArtifacts } from "../src/artifacts";
import { selectBackend } from "../src/backend";
import { buildNetwork, type NetworkConfigInput } from "../src/networks";
import { createOnnxClassifier, exportOnnx } from "../src/onnx";

const VAL_DIR = FER_VAL_DIR;
const DEFAULT_MODEL_DIR = join(import.meta.dirname, "../../../models/default");

/** One real face per emotion folder (FER-2013 validation crops are 48x48 gray already; sharp normalises anyway). */
async function realFaces(): Promise<Uint8Array[]> {
  const faces: Uint8Array[] = [];
  for (const folder of readdirSync(VAL_DIR).sort()) {
    const file = readdirSync(join(VAL_DIR, folder)).sort()[0]!;
    const pixels = await sharp(join(VAL_DIR, folder, file))
      .greyscale()
      .resize(48, 48)
      .raw()
      .toBuffer();
    faces.push(new Uint8Array(pixels));
  }
  return faces;
}

function toBatch(faces: Uint8Array[]): Float32Array {
  const batch = new Float32Array(faces.length * 48 * 48);
  faces.forEach((face, i) => face.forEach((pixel, j) => (batch[i * 2304 + j] = pixel / 255)));
  return batch;
}

/** Moves every weight and batch-norm statistic away from its initial value, so parity is not trivially uniform. */
function scramble(model: tf.LayersModel): void {
  let seed = 1;
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const replaced = layer.weights.map((variable, index) => {
      const shape = weights[index]!.shape;
      const name = variable.originalName;
      if (name.endsWith("moving_variance")) return tf.randomUniform(shape, 0.5, 2, "float32", seed++);
      if (name.endsWith("gamma")) return tf.randomUniform(shape, 0.5, 1.5, "float32", seed++);
      if (name.endsWith("moving_mean") || name.endsWith("beta") || name.endsWith("bias")) {
        return tf.randomUniform(shape, -0.3, 0.3, "float32", seed++);
      }
      return tf.mul(weights[index]!, 1.5);
    });
    layer.setWeights(replaced);
    tf.dispose(replaced);
  }
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

let faces: Uint8Array[];
let batch: Float32Array;

beforeAll(async () => {
  await selectBackend("wasm", { logger: () => {} });
  faces = await realFaces();
  batch = toBatch(faces);
});

async function expectParity(model: tf.LayersModel, options: { temperature?: number } = {}) {
  const bytes = exportOnnx(model, options);
  const classifier = await createOnnxClassifier(bytes);
  try {
    const expected = tf.tidy(() => {
      const probabilities = model.predict(tf.tensor4d(batch, [faces.length, 48, 48, 1])) as tf.Tensor;
      const t = options.temperature ?? 1;
      return (
        t === 1 ? probabilities : tf.softmax(tf.div(tf.log(probabilities), t))
      ).dataSync() as Float32Array;
    });
    const fromBatch = await classifier.classify(batch, faces.length);
    expect(maxAbsDifference(fromBatch, expected)).toBeLessThan(1e-4);
    const fromCrops = await classifier.classify(faces);
    expect(fromCrops).toHaveLength(faces.length);
    expect(
      maxAbsDifference(Float32Array.from(fromCrops.flatMap((row) => Array.from(row))), expected),
    ).toBeLessThan(1e-4);
    return { bytes, expected };
  } finally {
    await classifier.dispose();
  }
}

const NETWORKS: [string, NetworkConfigInput][] = [
  ["compact (mini-Xception)", { architecture: "compact" }],
  ["deep, flatten head", { architecture: "deep" }],
  ["deep, global-average-pooling head", { architecture: "deep", head: "gap", blockWidths: [16, 32, 64] }],
  [
    "deep, input average-pooled to 24x24 (the shipped layout)",
    { architecture: "deep", inputPool: 2, blockWidths: [16, 32, 64, 128] },
  ],
];

describe("ONNX export", () => {
  for (const [label, config] of NETWORKS) {
    it(`${label}: onnxruntime matches tfjs on real faces and folds every batch norm`, async () => {
      const model = buildSeededNetwork(config, 7);
      scramble(model);
      const { bytes, expected } = await expectParity(model);
      // Scrambled weights give confident, face-dependent outputs, so agreement is not an artefact of uniform rows.
      expect(Math.max(...expected)).toBeGreaterThan(0.3);
      // Every BN follows a linear conv/dense in our networks, so none should survive as an ONNX op.
      expect(new TextDecoder("latin1").decode(bytes)).not.toContain("BatchNormalization");
      model.dispose();
    });
  }

  it("applies a calibration temperature inside the graph", async () => {
    const model = buildNetwork({ architecture: "compact", blockFilters: [8, 16] });
    scramble(model);
    await expectParity(model, { temperature: 2.5 });
    model.dispose();
  });

  it("keeps batch norms that cannot be folded as BatchNormalization ops", async () => {
    const input = tf.input({ shape: [48, 48, 1] });
    const conv = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, activation: "relu" })
      .apply(input) as tf.SymbolicTensor;
    const normed = tf.layers.batchNormalization().apply(conv) as tf.SymbolicTensor;
    const pooled = tf.layers
      .averagePooling2d({ poolSize: 3, strides: 2, padding: "same" })
      .apply(normed) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(pooled) as tf.SymbolicTensor;
    const output = tf.layers.dense({ units: 7, activation: "softmax" }).apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    scramble(model);
    const { bytes } = await expectParity(model);
    expect(new TextDecoder("latin1").decode(bytes)).toContain("BatchNormalization");
    model.dispose();
  });

  it("refuses bytes that are not an ONNX model", async () => {
    const error = await createOnnxClassifier(new Uint8Array([1, 2, 3, 4])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("MODEL_INVALID");
  });

  it.skipIf(!existsSync(join(DEFAULT_MODEL_DIR, "metadata.json")))(
    "the shipped default model exports with parity",
    async () => {
      const { model, metadata } = await loadModelArtifacts(DEFAULT_MODEL_DIR);
      expect(metadata.labels).toEqual([...EMOTIONS]);
      await expectParity(model);
      model.dispose();
    },
  );
});

afterAll(() => {
  expect(tf.memory().numTensors).toBeLessThan(1000);
});
