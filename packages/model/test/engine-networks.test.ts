import { beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@moodlens/shared";
import { tf } from "../src/tf";
import { selectBackend } from "../src/backend";
import { buildNetwork, countParams, NETWORK_DEFAULTS, resolveNetworkConfig } from "../src/networks";

beforeAll(async () => {
  await selectBackend("wasm", { logger: () => {} });
});

function expectProbabilities(model: tf.LayersModel, batch: number) {
  const input = tf.randomUniform([batch, 48, 48, 1]);
  const output = model.predict(input) as tf.Tensor;
  expect(output.shape).toEqual([batch, 7]);
  const sums = tf.sum(output, 1).arraySync() as number[];
  for (const sum of sums) expect(sum).toBeCloseTo(1, 5);
  tf.dispose([input, output]);
}

describe("networks", () => {
  it("compact (mini-Xception) stays under 100k parameters and outputs 7 probabilities", () => {
    const model = buildNetwork({ architecture: "compact" });
    expect(countParams(model)).toBeGreaterThan(40_000);
    expect(countParams(model)).toBeLessThan(100_000);
    expect(model.inputs[0]!.shape).toEqual([null, 48, 48, 1]);
    expectProbabilities(model, 3);
    model.dispose();
  });

  it("deep (VGG-style) has 1-5 M parameters with either head", () => {
    for (const head of ["flatten", "gap"] as const) {
      const model = buildNetwork({ architecture: "deep", head });
      expect(countParams(model)).toBeGreaterThan(1_000_000);
      expect(countParams(model)).toBeLessThan(5_000_000);
      expectProbabilities(model, 2);
      model.dispose();
    }
  });

  it("every hyperparameter changes the network", () => {
    const base = buildNetwork({ architecture: "deep" });
    const wider = buildNetwork({ architecture: "deep", blockWidths: [48, 96, 192, 384] });
    expect(countParams(wider)).toBeGreaterThan(countParams(base));
    tf.dispose([base, wider].flatMap((m) => m.weights.map((w) => w.read())));
    const noDropout = buildNetwork({ architecture: "deep", blockDropout: 0, denseDropout: 0 });
    expect(noDropout.layers.some((layer) => layer.getClassName() === "Dropout")).toBe(false);
    const pooled = buildNetwork({ architecture: "deep", inputPool: 2 });
    expect(pooled.layers[1]!.getClassName()).toBe("AveragePooling2D");
    expect(pooled.layers[1]!.outputShape).toEqual([null, 24, 24, 1]);
    expectProbabilities(pooled, 2);
    tf.dispose([noDropout, pooled].flatMap((m) => m.weights.map((w) => w.read())));
  });

  it("fills defaults and refuses invalid configs with CONFIG_INVALID", () => {
    expect(resolveNetworkConfig({ architecture: "compact" })).toEqual(NETWORK_DEFAULTS.compact);
    const bad = [
      { architecture: "deep", blockWidths: [] },
      { architecture: "deep", blockWidths: [32, 64, 128, 256, 512, 1024] },
      { architecture: "deep", head: "dense" },
      { architecture: "deep", inputPool: 3 },
      // 48 / 4 = 12 px leaves room for three halvings, not four.
      { architecture: "deep", inputPool: 4, blockWidths: [8, 16, 32, 64] },
      { architecture: "deep", blockDropout: 1 },
      { architecture: "compact", kernelSize: 4 },
      { architecture: "transformer" },
    ];
    for (const config of bad) {
      expect(() => buildNetwork(config as never)).toThrow(AppError);
      try {
        buildNetwork(config as never);
      } catch (error) {
        expect((error as AppError).code).toBe("CONFIG_INVALID");
      }
    }
  });
});
