import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend, toModelInput, tf } from "@moodlens/model";
import { PIXELS_PER_SAMPLE } from "../src/dataset/types";
import {
  loadModelWeights,
  readCheckpointPointer,
  restoreCheckpoint,
  saveCheckpoint,
} from "../src/run/checkpoint";
import { weightsDigest } from "../src/run/init-weights";
import type { TrainConfig } from "../src/training/config";
import { batchLoss } from "../src/training/loss";
import { createOptimizer } from "../src/training/optimizer";
import { buildSeededNetwork } from "../src/training/seeded-network";
import { initialTrainerState } from "../src/training/state";
import { tempDirectory } from "./helpers";
import { TINY_CONFIG } from "./tiny-config";

/** The trainer's checkpoint (weights + optimizer slots + Adam's β powers): a resumed step equals the uninterrupted one. */
const work = tempDirectory("checkpoint");
// No dropout: two identical steps from identical state must give identical weights.
const config: TrainConfig = {
  ...TINY_CONFIG,
  optimizer: "adam",
  network: {
    architecture: "deep",
    blockWidths: [4, 8],
    convsPerBlock: 1,
    head: "gap",
    denseUnits: 0,
    blockDropout: 0,
    denseDropout: 0,
    l2: 0.001,
  },
};

const crops = Array.from({ length: 8 }, (_, i) =>
  Uint8Array.from({ length: PIXELS_PER_SAMPLE }, (_, p) => (p * 7 + i * 31) % 256),
);
const labels = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 0]);

function step(model: tf.LayersModel, optimizer: tf.Optimizer): void {
  const input = toModelInput(crops);
  const labelTensor = tf.tensor1d(labels, "int32");
  const weights = tf.ones([7]) as tf.Tensor1D;
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  tf.dispose(
    optimizer.minimize(
      () => batchLoss(model, input, labelTensor, weights, 0, labels.length, true).loss,
      true,
      variables,
    ) ?? [],
  );
  tf.dispose([input, labelTensor, weights]);
}

const weightsOf = (model: tf.LayersModel) =>
  model.weights.map((weight) => Array.from(weight.read().dataSync()));

beforeAll(async () => {
  await selectBackend("wasm", { forTraining: true, logger: () => {} });
});
afterAll(() => work.remove());

describe("checkpoint", () => {
  it("restores model and optimizer so the next step is the one an uninterrupted run makes", async () => {
    const original = buildSeededNetwork(config);
    const optimizer = createOptimizer(config);
    step(original, optimizer);
    step(original, optimizer);
    await saveCheckpoint(work.path, original, optimizer, { ...initialTrainerState(config), epoch: 1 }, true);
    step(original, optimizer);

    const pointer = readCheckpointPointer(work.path)!;
    expect(pointer.epoch).toBe(1);
    expect(pointer.best).toBe("best/epoch-0001");
    expect(pointer.optimizerExtras.accBeta1).toBeGreaterThan(0);
    const resumed = buildSeededNetwork(config);
    const resumedOptimizer = createOptimizer(config);
    await restoreCheckpoint(work.path, pointer, resumed, resumedOptimizer);
    step(resumed, resumedOptimizer);
    expect(weightsOf(resumed)).toEqual(weightsOf(original));

    // Without the optimizer's slots the same step differs (Adam's moments matter): the check above can fail.
    const weightsOnly = buildSeededNetwork(config);
    const freshOptimizer = createOptimizer(config);
    loadModelWeights(join(work.path, pointer.checkpoint), weightsOnly);
    step(weightsOnly, freshOptimizer);
    expect(weightsOf(weightsOnly)).not.toEqual(weightsOf(original));
  });

  it("splits large checkpoint files into shards that restore to the same step, and refuses a missing shard", async () => {
    const sharded = tempDirectory("checkpoint-shards");
    try {
      const original = buildSeededNetwork(config);
      const optimizer = createOptimizer(config);
      step(original, optimizer);
      // The tiny network's weights are a few KB: 1 KB shards make several files of each.
      await saveCheckpoint(
        sharded.path,
        original,
        optimizer,
        { ...initialTrainerState(config), epoch: 1 },
        true,
        {
          shardBytes: 1024,
        },
      );
      step(original, optimizer);

      const pointer = readCheckpointPointer(sharded.path)!;
      const files = readdirSync(join(sharded.path, pointer.checkpoint));
      expect(files).not.toContain("optimizer.bin");
      expect(files.filter((name) => /^optimizer-\d+of\d+\.bin$/.test(name)).length).toBeGreaterThan(1);
      expect(files.filter((name) => /^weights-\d+of\d+\.bin$/.test(name)).length).toBeGreaterThan(1);
      expect(weightsDigest(join(sharded.path, pointer.best!))).toMatch(/^[0-9a-f]{64}$/);

      const resumed = buildSeededNetwork(config);
      const resumedOptimizer = createOptimizer(config);
      await restoreCheckpoint(sharded.path, pointer, resumed, resumedOptimizer);
      step(resumed, resumedOptimizer);
      expect(weightsOf(resumed)).toEqual(weightsOf(original));

      const lastShard = files
        .filter((name) => name.startsWith("optimizer-"))
        .sort()
        .at(-1)!;
      rmSync(join(sharded.path, pointer.checkpoint, lastShard));
      await expect(
        restoreCheckpoint(sharded.path, pointer, buildSeededNetwork(config), createOptimizer(config)),
      ).rejects.toThrow(/optimizer\.bin \(or all of its shards\) is missing/);
    } finally {
      sharded.remove();
    }
  });
});
