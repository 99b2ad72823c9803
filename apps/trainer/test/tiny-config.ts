import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "../src/training/config";

/** The config of in-process test trainings: a tiny VGG-style net (plain convs are the fastest kernels on wasm), two epochs in seconds. */
export const TINY_CONFIG: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  network: {
    architecture: "deep",
    blockWidths: [4, 8],
    convsPerBlock: 1,
    head: "gap",
    denseUnits: 0,
    blockDropout: 0.1,
    denseDropout: 0,
    l2: 0.001,
  },
  epochs: 2,
  batchSize: 32,
  seed: 11,
};
