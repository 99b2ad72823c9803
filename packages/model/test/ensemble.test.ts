// An ensemble is one network (networks/ensemble.ts): softmax of the mean of its members' logits, exported to ONNX
// and quantized like any model. Two real trained models, real PublicTest faces.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MODEL_DIR } from "../src/analyzer";
import { loadModelArtifacts } from "../src/artifacts";
import { selectBackend, tf } from "../src/backend";
import { mergeIntoEnsemble } from "../src/networks";
import { exportOnnx } from "../src/onnx/export";
import { createOnnxClassifier } from "../src/onnx/classifier";
import { preprocessCrop, toModelInput } from "../src/preprocess";
import { FER_VAL_DIR } from "./group-photos";
import { readdir } from "node:fs/promises";

const TRAINING = join(DEFAULT_MODEL_DIR, "..", "training");
const MEMBERS = ["20261207-0638-fer2013-vgg48-reframe-all-long", "20261207-0010-fer2013-vgg48-reframe"];

let members: tf.LayersModel[];
let ensemble: tf.LayersModel;
let crops: Uint8Array[];

beforeAll(async () => {
  await selectBackend("wasm", { logger: () => {} });
  members = await Promise.all(
    MEMBERS.map(async (run) => (await loadModelArtifacts(join(TRAINING, run, "model"))).model),
  );
  ensemble = mergeIntoEnsemble(members);
  const files = (await readdir(join(FER_VAL_DIR, "fear"))).sort().slice(0, 24);
  crops = await Promise.all(files.map((file) => preprocessCrop(join(FER_VAL_DIR, "fear", file))));
}, 120_000);

afterAll(() => {
  ensemble?.dispose();
  for (const model of members ?? []) model.dispose();
});

describe("ensemble", () => {
  it("answers softmax(mean of the members' logits), leaving the members as they were", () => {
    const before = tf.memory().numTensors;
    const [expected, actual] = tf.tidy(() => {
      const input = toModelInput(crops);
      // log p = logits - logsumexp: the per-row constant cancels in the softmax.
      const logs = members.map((model) => tf.log(model.predict(input) as tf.Tensor));
      return [
        tf.softmax(tf.div(tf.addN(logs), members.length)).arraySync(),
        (ensemble.predict(input) as tf.Tensor).arraySync(),
      ] as [number[][], number[][]];
    });
    expect(tf.memory().numTensors).toBe(before);
    for (const [row, values] of actual.entries())
      for (const [k, value] of values.entries()) expect(value).toBeCloseTo(expected[row]![k]!, 4);
    // The members differ, so the ensemble is neither of them.
    const first = tf.tidy(() =>
      (members[0]!.predict(toModelInput(crops)) as tf.Tensor).arraySync(),
    ) as number[][];
    expect(
      actual.some((values, row) => values.some((value, k) => Math.abs(value - first[row]![k]!) > 0.01)),
    ).toBe(true);
  });

  it("exports to one ONNX graph with the same answers, and to an int8 one of both members' convolutions", async () => {
    const session = await createOnnxClassifier(exportOnnx(ensemble));
    const onnxRows = await session.classify(crops);
    await session.dispose();
    const tfjsRows = tf.tidy(() =>
      (ensemble.predict(toModelInput(crops)) as tf.Tensor).arraySync(),
    ) as number[][];
    for (const [row, values] of onnxRows.entries())
      for (const [k, value] of values.entries())
        expect(Math.abs(value - tfjsRows[row]![k]!)).toBeLessThan(1e-4);
    const text = new TextDecoder("latin1").decode(
      exportOnnx(ensemble, {
        quantization: {
          activationRanges: Object.fromEntries(
            ensemble.layers
              .filter((layer) => /relu|pool/.test(layer.name))
              .map((layer) => [`layer/${layer.name}`, 8]),
          ),
        },
      }),
    );
    expect(text.match(/QuantizeLinear/g)?.length).toBeGreaterThanOrEqual(2 * 12);
  });
});
