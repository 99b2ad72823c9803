import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectBackend } from "@moodlens/model";
import { NativeTrainingEngine, loadNativeAddon, nativeSupport } from "@moodlens/native";
import { partition } from "../src/dataset/partition";
import { loadOrImport } from "../src/dataset/load";
import { Trainer } from "../src/training/trainer";
import type { TrainingEngine } from "../src/training/engine";
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from "../src/training/config";
import { copyFerSubset, runCli, tempDirectory, TINY_TRAIN_ARGS } from "./helpers";

// The native engine inside the trainer: same loss curve as wasm, flat memory, the CLI's choice and fallback,
// and a SIGKILLed native run resuming to the very weights of an uninterrupted one.
const loaded = loadNativeAddon();
const skipReason = loaded.problem ? ` (skipped: ${loaded.problem})` : "";
const work = tempDirectory("native");
const trainTree = join(work.path, "train");
const valTree = join(work.path, "val");
const cacheDirectory = join(work.path, "cache");
const quiet = () => {};

/** Small, dropout-free (dropout masks come from different generators per engine), no augmentation randomness lost. */
const CONFIG: TrainConfig = {
  ...DEFAULT_TRAIN_CONFIG,
  network: {
    architecture: "deep",
    inputPool: 2,
    blockWidths: [8, 16],
    convsPerBlock: 2,
    head: "flatten",
    denseUnits: 16,
    blockDropout: 0,
    denseDropout: 0,
    l2: 1e-3,
  },
  epochs: 3,
  batchSize: 32,
  seed: 5,
};

function engineFor(config: TrainConfig, replicas: number): NativeTrainingEngine {
  const support = nativeSupport(config.network);
  if (!("config" in support) || !loaded.addon) throw new Error("native engine unavailable");
  return new NativeTrainingEngine(loaded.addon, support.config, {
    precision: "fp32",
    replicas,
    threadsPerReplica: 1,
    optimizer: config.optimizer,
    momentum: config.momentum,
  });
}

beforeAll(async () => {
  copyFerSubset("train", trainTree, 20);
  copyFerSubset("val", valTree, 6);
  await selectBackend("wasm", { forTraining: true, logger: quiet });
});
afterAll(() => work.remove());

async function trainingData() {
  const train = (await loadOrImport(trainTree, { cacheDirectory })).dataset;
  const val = (await loadOrImport(valTree, { cacheDirectory })).dataset;
  return partition(CONFIG, train, val);
}

describe.skipIf(!loaded.addon)(`native engine in the trainer${skipReason}`, () => {
  it("follows the wasm path's loss curve (same data order, augmentation and schedule)", async () => {
    const parts = await trainingData();
    const curve = async (engine?: TrainingEngine) => {
      const trainer = new Trainer(CONFIG, parts, { progress: false, ...(engine ? { engine } : {}) });
      const logs = [];
      for await (const result of trainer.epochs()) logs.push(result.log);
      trainer.dispose();
      return logs;
    };
    const wasm = await curve();
    const native = await curve(engineFor(CONFIG, 1));
    expect(native.map((log) => log.epoch)).toEqual([1, 2, 3]);
    native.forEach((log, i) => {
      // Float rounding differs (oneDNN vs XNNPACK summation order) and grows over the steps, no more.
      expect(Math.abs(log.loss - wasm[i]!.loss) / wasm[i]!.loss, `epoch ${i + 1} loss`).toBeLessThan(0.02);
      expect(
        Math.abs(log.valLoss - wasm[i]!.valLoss) / wasm[i]!.valLoss,
        `epoch ${i + 1} val loss`,
      ).toBeLessThan(0.02);
    });
    expect(native[2]!.loss).toBeLessThan(native[0]!.loss);
  }, 600_000);

  it("keeps its memory flat over many steps", () => {
    const engine = engineFor(CONFIG, 2);
    const pixels = new Uint8Array(32 * 48 * 48).map((_, i) => (i * 7) % 251);
    const labels = Int32Array.from({ length: 32 }, (_, i) => i % 7);
    const batch = (index: number) => ({
      pixels,
      labels,
      classWeights: new Float32Array(7).fill(1),
      smoothing: 0.1,
      normalizer: 32,
      seed: 1,
      epoch: 1,
      batch: index,
      learningRate: 1e-3,
    });
    // Also a second batch size (an epoch's last, partial batch) and predictions: every plan is built once.
    const partial = {
      ...batch(0),
      pixels: pixels.subarray(0, 5 * 48 * 48),
      labels: labels.subarray(0, 5),
      normalizer: 5,
    };
    const round = (index: number) => {
      engine.step(batch(index));
      engine.step(partial);
      engine.predict([pixels.subarray(0, 48 * 48)]);
    };
    for (let i = 0; i < 30; i++) round(i);
    const before = process.memoryUsage().rss;
    for (let i = 30; i < 230; i++) round(i);
    const grown = process.memoryUsage().rss - before;
    engine.dispose();
    // One step's buffers for this net are ~1 MB: 200 leaking rounds would add hundreds of MB.
    expect(grown).toBeLessThan(16 * 1024 * 1024);
  }, 600_000);
});

describe("trainer CLI: engine choice", () => {
  const env = () => ({ MOODLENS_CACHE_DIR: cacheDirectory, MOODLENS_RUNS_DIR: join(work.path, "runs") });
  const common = ["train", "--data", trainTree, "--val", valTree, ...TINY_TRAIN_ARGS, "--no-db"];

  it("with MOODLENS_NATIVE=off, auto trains on tfjs and says why; a forced native engine is an error", async () => {
    // Stopped as soon as it says which engine trains: the tfjs training itself is the other suites' subject.
    const engineLine = /training engine tfjs wasm \(native skipped: disabled \(MOODLENS_NATIVE=off\)\)/;
    const auto = await runCli(
      [...common, "--run-id", "fallback"],
      { ...env(), MOODLENS_BACKEND: "auto", MOODLENS_NATIVE: "off" },
      { killWhen: (stderr) => engineLine.test(stderr) },
    );
    expect(auto.stderr).toMatch(engineLine);
    const forced = await runCli([...common, "--run-id", "forced", "--backend", "native"], {
      ...env(),
      MOODLENS_NATIVE: "off",
    });
    expect(forced.code).not.toBe(0);
    expect(forced.stderr).toMatch(/native training engine cannot run: disabled/);
  }, 600_000);

  it.skipIf(!loaded.addon)(
    `a native run SIGKILLed in epoch 2 resumes to the uninterrupted run's weights${skipReason}`,
    async () => {
      const native = [...common, "--backend", "native"];
      const clean = await runCli([...native, "--run-id", "native-clean"], env());
      expect(clean.code, clean.stderr).toBe(0);
      expect(clean.stderr).toMatch(/training engine native oneDNN/);
      const withProgress = native.filter((arg) => arg !== "--no-progress");
      const killed = await runCli([...withProgress, "--run-id", "native-killed"], env(), {
        killWhen: (stderr) => /epoch 2\/2 [█░]/.test(stderr),
      });
      expect(killed.signal).toBe("SIGKILL");
      const resumed = await runCli(
        ["train", "--resume", "native-killed", "--no-progress", "--no-db", "--backend", "native"],
        env(),
      );
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stderr).toMatch(/resuming run native-killed after epoch 1/);
      const weights = (run: string) => readFileSync(join(work.path, "runs", run, "model", "weights.bin"));
      expect(weights("native-killed").equals(weights("native-clean"))).toBe(true);
    },
    900_000,
  );
});
