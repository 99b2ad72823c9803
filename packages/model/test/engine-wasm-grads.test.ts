import { beforeAll, describe, expect, it } from "vitest";
import { tf } from "../src/tf";
import { selectBackend, WASM_TRAINING_KERNEL_NAMES } from "../src/backend";
import { buildNetwork } from "../src/networks";

/** Deterministic pseudo-random values, so cpu and wasm see identical inputs. */
function values(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = seed;
  for (let i = 0; i < size; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = state / 2147483648 - 0.5;
  }
  return out;
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Gradients of sum(weights * f(inputs)) w.r.t. every input, computed on the given backend. */
async function gradientsOn(
  backend: "cpu" | "wasm",
  shapes: number[][],
  f: (...inputs: tf.Tensor[]) => tf.Tensor,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const inputs = shapes.map((shape, index) => tf.tensor(values(sizeOf(shape), 11 + index), shape));
  const outShape = tf.tidy(() => f(...inputs).shape);
  const weights = tf.tensor(values(sizeOf(outShape), 99), outShape);
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights)))(inputs);
  const result = await Promise.all(grads.map(async (g) => Float32Array.from(await g.data())));
  tf.dispose([...inputs, weights, ...grads]);
  return result;
}

function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let scale = 1e-12;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]!));
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  return worst / scale;
}

async function expectWasmMatchesCpu(shapes: number[][], f: (...inputs: tf.Tensor[]) => tf.Tensor) {
  const expected = await gradientsOn("cpu", shapes, f);
  const actual = await gradientsOn("wasm", shapes, f);
  expected.forEach((grad, index) => expect(relativeError(actual[index]!, grad)).toBeLessThan(1e-4));
}

beforeAll(async () => {
  await selectBackend("wasm", { forTraining: true, logger: () => {} });
});

describe("wasm training kernels", () => {
  it("are registered for the kernels the shipped wasm backend lacks", () => {
    for (const name of [
      "Conv2DBackpropFilter",
      "DepthwiseConv2dNativeBackpropFilter",
      "DepthwiseConv2dNativeBackpropInput",
    ]) {
      expect(WASM_TRAINING_KERNEL_NAMES).toContain(name);
      expect(tf.getKernel(name, "wasm")).toBeDefined();
    }
  });

  const convCases = [
    { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: "same" },
    { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 1, pad: "valid" },
    { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], strides: 2, pad: "same" },
    { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: "same" },
    { x: [2, 8, 9, 3], filter: [3, 3, 3, 5], strides: 2, pad: "valid" },
    { x: [3, 6, 6, 4], filter: [1, 1, 4, 6], strides: 2, pad: "same" },
    { x: [2, 9, 9, 2], filter: [5, 5, 2, 3], strides: 1, pad: "same" },
  ] as const;
  for (const c of convCases) {
    it(`conv2d gradients match cpu: x ${c.x}, filter ${c.filter}, stride ${c.strides}, ${c.pad}`, async () => {
      await expectWasmMatchesCpu([[...c.x], [...c.filter]], (x, w) =>
        tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad),
      );
    });
  }

  const depthwiseCases = [
    { x: [2, 7, 7, 3], filter: [3, 3, 3, 1], strides: 1, pad: "same" },
    { x: [2, 7, 7, 3], filter: [3, 3, 3, 1], strides: 2, pad: "same" },
    { x: [2, 8, 8, 3], filter: [3, 3, 3, 1], strides: 2, pad: "valid" },
    { x: [2, 6, 6, 2], filter: [3, 3, 2, 2], strides: 1, pad: "valid" },
    { x: [2, 7, 7, 2], filter: [3, 3, 2, 3], strides: 2, pad: "same" },
  ] as const;
  for (const c of depthwiseCases) {
    it(`depthwise conv gradients match cpu: x ${c.x}, filter ${c.filter}, stride ${c.strides}, ${c.pad}`, async () => {
      await expectWasmMatchesCpu([[...c.x], [...c.filter]], (x, w) =>
        tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad),
      );
    });
  }

  it("separable conv gradients match cpu", async () => {
    await expectWasmMatchesCpu(
      [
        [2, 8, 8, 3],
        [3, 3, 3, 1],
        [1, 1, 3, 5],
      ],
      (x, depthwise, pointwise) =>
        tf.separableConv2d(x as tf.Tensor4D, depthwise as tf.Tensor4D, pointwise as tf.Tensor4D, 1, "same"),
    );
  });

  it("batch-norm gradient equals the gradient of the formula written out op by op", async () => {
    const shapes = [[2, 5, 5, 3], [3], [3], [3], [3]];
    const epsilon = 1e-3;
    const fused = await gradientsOn("wasm", shapes, (x, mean, variance, offset, scale) =>
      tf.batchNorm(x as tf.Tensor4D, mean!, tf.abs(variance!), offset, scale, epsilon),
    );
    const reference = await gradientsOn("wasm", shapes, (x, mean, variance, offset, scale) =>
      tf.add(tf.mul(tf.div(tf.sub(x!, mean!), tf.sqrt(tf.add(tf.abs(variance!), epsilon))), scale!), offset!),
    );
    reference.forEach((grad, index) => expect(relativeError(fused[index]!, grad)).toBeLessThan(1e-4));
  });

  it("per-channel sum and mean (rewritten as a matmul on wasm) match cpu, other reductions still work", async () => {
    const x = values(4 * 5 * 6 * 3, 3);
    const reductions: [string, (t: tf.Tensor) => tf.Tensor][] = [
      ["sum NHW", (t) => tf.sum(t, [0, 1, 2])],
      ["mean NHW keepDims", (t) => tf.mean(t, [2, 0, 1], true)],
      ["mean of rank 2", (t) => tf.mean(t.reshape([120, 3]), 0)],
      ["sum last axis", (t) => tf.sum(t, -1)],
      ["mean all", (t) => tf.mean(t)],
    ];
    for (const [label, reduce] of reductions) {
      const results: Float32Array[] = [];
      for (const backend of ["cpu", "wasm"]) {
        await tf.setBackend(backend);
        const input = tf.tensor4d(x, [4, 5, 6, 3]);
        const output = reduce(input);
        results.push(Float32Array.from(await output.data()));
        tf.dispose([input, output]);
      }
      expect(relativeError(results[1]!, results[0]!), label).toBeLessThan(1e-5);
    }
  });

  it("a short fit on wasm leaves no tensors behind and learns", async () => {
    await tf.setBackend("wasm");
    const model = buildNetwork({ architecture: "compact", blockFilters: [8, 16] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: "categoricalCrossentropy" });
    const xs = tf.tensor(values(16 * 48 * 48, 5), [16, 48, 48, 1]).add(0.5);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6, 0, 1], "int32"), 7);
    const first = await model.fit(xs, ys, { batchSize: 8, epochs: 1, verbose: 0 });
    const tensorsAfterFirstFit = tf.memory().numTensors;
    // Our kernels allocate wasm buffers outside the engine's bookkeeping: count the backend's buffers too.
    const buffersAfterFirstFit = tf.engine().backend.numDataIds();
    const more = await model.fit(xs, ys, { batchSize: 8, epochs: 4, verbose: 0 });
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstFit);
    expect(tf.engine().backend.numDataIds()).toBe(buffersAfterFirstFit);
    const firstLoss = first.history.loss![0] as number;
    const lastLoss = more.history.loss!.at(-1) as number;
    expect(Number.isFinite(lastLoss)).toBe(true);
    expect(lastLoss).toBeLessThan(firstLoss);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
