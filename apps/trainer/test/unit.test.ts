import { describe, expect, it } from "vitest";
import { EMOTIONS } from "@moodlens/shared";
import { Rng, seedMathRandom } from "../src/util/rng";
import { augmentCrop } from "../src/training/augment";
import {
  DEFAULT_AUGMENTATION,
  DEFAULT_TRAIN_CONFIG,
  validateTrainConfig,
  flattenParams,
} from "../src/training/config";
import { classWeights, stratifiedSplit } from "../src/dataset/split";
import { buildDataset } from "../src/dataset/cache";
import { classificationMetrics, confusionMatrix } from "../src/evaluation/metrics";
import { applyCalibrationToRows } from "@moodlens/model/calibration";
import { expectedCalibrationError, fitTemperature } from "../src/evaluation/calibration";
import { afterEpoch, initialScheduleState, learningRateAt } from "../src/training/schedule";
import { applyTrial, gridTrials, randomTrials, validateSpace } from "../src/training/search";
import { PIXELS_PER_SAMPLE } from "../src/dataset/types";

describe("seeded randomness", () => {
  it("gives the same stream for the same seed and purpose, another for another purpose", () => {
    const a = Rng.derive(42, "shuffle", 3);
    const b = Rng.derive(42, "shuffle", 3);
    const c = Rng.derive(42, "shuffle", 4);
    const draw = (rng: Rng) => Array.from({ length: 5 }, () => rng.nextUint32());
    const first = draw(a);
    expect(draw(b)).toEqual(first);
    expect(draw(c)).not.toEqual(first);
  });

  it("routes Math.random through a stream and restores it", () => {
    const original = Math.random;
    const restore = seedMathRandom(Rng.derive(1, "x"));
    const seeded = [Math.random(), Math.random()];
    restore();
    expect(Math.random).toBe(original);
    const again = seedMathRandom(Rng.derive(1, "x"));
    expect([Math.random(), Math.random()]).toEqual(seeded);
    again();
  });
});

describe("augmentation", () => {
  const gradient = Uint8Array.from({ length: PIXELS_PER_SAMPLE }, (_, i) => (i % 48) * 5);

  it("with everything off but a forced flip mirrors the crop exactly", () => {
    const out = new Uint8Array(PIXELS_PER_SAMPLE);
    const config = { ...DEFAULT_AUGMENTATION, shift: 0, rotation: 0, zoom: 0, brightness: 0, contrast: 0 };
    // Find a draw that flips (probability 1/2), then check the mirror.
    for (let seed = 0; seed < 20; seed++) {
      augmentCrop(gradient, out, config, new Rng(seed));
      if (out[0] !== gradient[0]) break;
    }
    for (let x = 0; x < 48; x++) expect(out[x]).toBe(gradient[47 - x]);
  });

  it("is deterministic for a stream and changes the image", () => {
    const a = new Uint8Array(PIXELS_PER_SAMPLE);
    const b = new Uint8Array(PIXELS_PER_SAMPLE);
    augmentCrop(gradient, a, DEFAULT_AUGMENTATION, new Rng(5));
    augmentCrop(gradient, b, DEFAULT_AUGMENTATION, new Rng(5));
    expect(a).toEqual(b);
    expect(a).not.toEqual(gradient);
  });

  it("random erasing replaces one rectangle of 2-40 % of the crop, and leaves the rest as without it", () => {
    const identity = { flip: false, shift: 0, rotation: 0, zoom: 0, brightness: 0, contrast: 0 };
    const out = new Uint8Array(PIXELS_PER_SAMPLE);
    let erased = 0;
    for (let seed = 0; seed < 50; seed++) {
      augmentCrop(gradient, out, { ...identity, erasing: 1 }, new Rng(seed));
      const changed: number[] = [];
      out.forEach((value, i) => value !== gradient[i] && changed.push(i));
      const rows = changed.map((i) => Math.floor(i / 48));
      const cols = changed.map((i) => i % 48);
      const box = (Math.max(...rows) - Math.min(...rows) + 1) * (Math.max(...cols) - Math.min(...cols) + 1);
      // Noise can equal the original pixel now and then: the changed pixels fill most of their bounding box.
      expect(changed.length).toBeGreaterThan(0.9 * box);
      expect(box).toBeLessThanOrEqual(0.45 * PIXELS_PER_SAMPLE);
      if (changed.length >= 0.02 * PIXELS_PER_SAMPLE * 0.9) erased++;
    }
    expect(erased).toBe(50);
    // Without erasing the same stream gives the unerased crop (no draws are spent on it).
    augmentCrop(gradient, out, { ...identity, erasing: 0 }, new Rng(1));
    expect(out).toEqual(gradient);
  });
});

describe("protocol", () => {
  const labels = [...Array(100).fill(3), ...Array(10).fill(1), ...Array(50).fill(0)] as number[];
  const dataset = buildDataset(
    {
      pixels: labels.map((l, i) => new Uint8Array(PIXELS_PER_SAMPLE).fill((l * 31 + i) % 256)),
      labels,
      splits: labels.map(() => "train"),
      report: { skipped: {}, corrupt: [], noFace: [] },
    },
    { kind: "folder", path: "/x" },
    "x",
  );
  const all = Uint32Array.from(labels.map((_, i) => i));

  it("splits each class in proportion, the same way for the same seed, disjointly", () => {
    const split = stratifiedSplit(dataset, all, 0.2, 9);
    const count = (indices: Uint32Array, label: number) =>
      [...indices].filter((i) => labels[i] === label).length;
    expect(count(split.val, 3)).toBe(20);
    expect(count(split.val, 1)).toBe(2);
    expect(count(split.val, 0)).toBe(10);
    expect(new Set([...split.train, ...split.val]).size).toBe(labels.length);
    expect(stratifiedSplit(dataset, all, 0.2, 9)).toEqual(split);
    expect(stratifiedSplit(dataset, all, 0.2, 10).val).not.toEqual(split.val);
  });

  it("weights rare classes up, with mean weight 1 over the samples", () => {
    const weights = classWeights(Uint8Array.from(labels), "balanced");
    expect(weights[1]!).toBeGreaterThan(weights[3]!);
    const mean = labels.reduce((sum, l) => sum + weights[l]!, 0) / labels.length;
    expect(mean).toBeCloseTo(1, 6);
    expect(classWeights(Uint8Array.from(labels), "none").every((w) => w === 1)).toBe(true);
    const sqrt = classWeights(Uint8Array.from(labels), "sqrt");
    expect(sqrt[1]! / sqrt[3]!).toBeCloseTo(Math.sqrt(weights[1]! / weights[3]!), 6);
  });
});

describe("metrics", () => {
  it("computes accuracy, per-class precision/recall/F1 and macro-F1 over present classes", () => {
    const truth = [0, 0, 0, 3, 3, 1];
    const predicted = [0, 0, 3, 3, 0, 1];
    const m = classificationMetrics(confusionMatrix(truth, predicted));
    expect(m.accuracy).toBeCloseTo(4 / 6);
    expect(m.perClass.angry).toEqual({ precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 });
    expect(m.perClass.disgust.f1).toBe(1);
    expect(m.perClass.happy.precision).toBeCloseTo(0.5);
    expect(m.macroF1).toBeCloseTo((2 / 3 + 1 + 0.5) / 3);
    expect(m.confusion[0]![3]).toBe(1);
    expect(m.perClass.fear.support).toBe(0);
  });

  it("measures calibration and a fitted temperature lowers the ECE of an overconfident model", () => {
    const rng = new Rng(3);
    const n = 2000;
    const classes = EMOTIONS.length;
    const probabilities = new Float32Array(n * classes);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const predicted = rng.int(classes);
      labels[i] = rng.next() < 0.6 ? predicted : (predicted + 1 + rng.int(classes - 1)) % classes;
      for (let c = 0; c < classes; c++)
        probabilities[i * classes + c] = c === predicted ? 0.97 : 0.03 / (classes - 1);
    }
    const ece = expectedCalibrationError(probabilities, labels, classes);
    expect(ece).toBeGreaterThan(0.3); // 97 % confident, 60 % right
    const temperature = fitTemperature(probabilities, labels, classes);
    expect(temperature).toBeGreaterThan(1);
    expect(
      expectedCalibrationError(
        applyCalibrationToRows(probabilities, classes, { temperature }),
        labels,
        classes,
      ),
    ).toBeLessThan(0.05);
  });
});

describe("schedules", () => {
  it("cosine warms up, peaks at the base rate and ends at the floor", () => {
    const schedule = { kind: "cosine" as const, warmupEpochs: 1, minLearningRate: 1e-5 };
    const state = initialScheduleState(1e-3);
    expect(learningRateAt(schedule, state, 1e-3, 10, 0.5)).toBeCloseTo(5e-4);
    expect(learningRateAt(schedule, state, 1e-3, 10, 1)).toBeCloseTo(1e-3);
    expect(learningRateAt(schedule, state, 1e-3, 10, 10)).toBeCloseTo(1e-5);
  });

  it("plateau lowers the rate after `patience` epochs without a better validation loss", () => {
    const schedule = { kind: "plateau" as const, factor: 0.5, patience: 2, minLearningRate: 1e-4 };
    let state = initialScheduleState(1e-3);
    for (const loss of [1.0, 0.9, 0.95, 0.96]) state = afterEpoch(schedule, state, loss);
    expect(state.learningRate).toBeCloseTo(5e-4);
    expect(learningRateAt(schedule, state, 1e-3, 10, 4)).toBeCloseTo(5e-4);
  });
});

describe("config and search space", () => {
  it("rejects invalid configs naming the field", () => {
    expect(() => validateTrainConfig({ ...DEFAULT_TRAIN_CONFIG, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => validateTrainConfig({ ...DEFAULT_TRAIN_CONFIG, labelSmoothing: 1 })).toThrow(
      /labelSmoothing/,
    );
    expect(flattenParams(DEFAULT_TRAIN_CONFIG)["schedule.kind"]).toBe("cosine");
  });

  it("expands grids, draws seeded random trials and applies dotted paths", () => {
    const space = validateSpace({ learningRate: [1e-3, 3e-4], "network.blockDropout": [0.1, 0.2, 0.3] });
    expect(gridTrials(space)).toHaveLength(6);
    const random = validateSpace({
      learningRate: { min: 1e-4, max: 1e-2, log: true },
      labelSmoothing: [0, 0.1],
    });
    const trials = randomTrials(random, 5, 1);
    expect(trials).toEqual(randomTrials(random, 5, 1));
    for (const t of trials) expect(t.learningRate as number).toBeGreaterThanOrEqual(1e-4);
    const config = applyTrial(DEFAULT_TRAIN_CONFIG, { "network.blockDropout": 0.3, learningRate: 0.01 });
    expect((config.network as { blockDropout?: number }).blockDropout).toBe(0.3);
    expect(DEFAULT_TRAIN_CONFIG.learningRate).toBe(1e-3);
    expect(() => gridTrials(random)).toThrow(/range/);
    expect(() => validateSpace({})).toThrow();
  });
});
