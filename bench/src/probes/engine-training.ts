/**
 * Training speed of the deep network on one engine, in a fresh process: the trainer's own step (label-smoothed,
 * class-weighted cross-entropy + L2, Adam) on real FER-2013 crops, time-boxed, first step untimed.
 * - wasm: tfjs-wasm with our gradient kernels, one thread (the trainer's --workers 2 runs two such halves);
 * - native: @moodlens/native's oneDNN engine, `replicas` threads x `threadsPerReplica` OpenMP threads.
 */
import * as tf from "@tensorflow/tfjs";
import * as moodlens from "@moodlens/model";
import { NativeTrainingEngine, loadNativeAddon, nativeSupport } from "@moodlens/native";
import { EMOTIONS } from "@moodlens/shared";
import { log, runAsProbe } from "../core/child";
import { msSince, now, round } from "../core/stats";
import { readCropSet } from "../data/crop-cache";

export interface EngineProbeInput {
  engine: "wasm" | "native";
  precision: "fp32" | "bf16";
  network: moodlens.NetworkConfigInput;
  replicas: number;
  threadsPerReplica: number;
  batchSize: number;
  seconds: number;
  cropSetBase: string;
}

export interface EngineProbeOutput {
  steps: number;
  imagesPerSec: number;
  /** Images per CPU-second of the process (all its threads): steady when other jobs share the cores. */
  imagesPerCpuSec: number;
  /** Cores this process kept busy on average (CPU time / wall time). */
  coresBusy: number;
  detail: string;
}

const SMOOTHING = 0.1;

runAsProbe<EngineProbeInput, EngineProbeOutput>(async (input) => {
  const backend = await moodlens.selectBackend("wasm", { forTraining: true, logger: (line) => log(line) });
  const { crops, labels } = await readCropSet(input.cropSetBase);
  const batchAt = (step: number) => {
    const indices = Array.from(
      { length: input.batchSize },
      (_, i) => (step * input.batchSize + i) % crops.length,
    );
    return {
      batch: indices.map((index) => crops[index]!),
      labels: Int32Array.from(indices, (index) => labels[index]!),
    };
  };
  const model = moodlens.buildNetwork(input.network);
  const optimizer = tf.train.adam(1e-3);
  const classWeights = new Float32Array(EMOTIONS.length).fill(1);
  let step: (index: number) => void;
  let detail: string;
  let engine: NativeTrainingEngine | undefined;
  if (input.engine === "native") {
    const loaded = loadNativeAddon();
    const support = nativeSupport(input.network);
    if (!loaded.addon || !("config" in support))
      throw new Error(`native engine unavailable: ${loaded.problem ?? "network"}`);
    engine = new NativeTrainingEngine(loaded.addon, support.config, {
      precision: input.precision,
      replicas: input.replicas,
      threadsPerReplica: input.threadsPerReplica,
      optimizer: "adam",
      momentum: 0.9,
    });
    engine.loadFrom(model, optimizer);
    detail = engine.describe();
    step = (index) => {
      const { batch, labels: batchLabels } = batchAt(index);
      const pixels = new Uint8Array(batch.length * 48 * 48);
      batch.forEach((crop, i) => pixels.set(crop, i * 48 * 48));
      engine!.step({
        pixels,
        labels: batchLabels,
        classWeights,
        smoothing: SMOOTHING,
        normalizer: batch.length,
        seed: 1,
        epoch: 1,
        batch: index,
        learningRate: 1e-3,
      });
    };
  } else {
    detail = `tfjs ${backend.name} (${backend.threads} thread, training kernels ${backend.trainingKernels})`;
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const weights = tf.tensor1d(classWeights);
    step = (index) => {
      const { batch, labels: batchLabels } = batchAt(index);
      const x = moodlens.toModelInput(batch);
      const y = tf.tensor1d(batchLabels, "int32");
      // The trainer's batchLoss (apps/trainer/src/training/loss.ts), inlined: the bench does not import apps.
      const cost = optimizer.minimize(
        () => {
          const probabilities = model.apply(x, { training: true }) as tf.Tensor2D;
          const targets = tf
            .oneHot(y, EMOTIONS.length)
            .toFloat()
            .mul(1 - SMOOTHING)
            .add(SMOOTHING / EMOTIONS.length);
          const perSample = tf.neg(
            tf.sum(tf.mul(targets, tf.log(tf.clipByValue(probabilities, 1e-7, 1))), 1),
          );
          let loss = tf.div(tf.sum(tf.mul(perSample, tf.gather(weights, y))), batch.length) as tf.Scalar;
          for (const regularization of model.calculateLosses()) loss = tf.add(loss, regularization);
          return loss;
        },
        true,
        variables,
      );
      tf.dispose([cost!, x, y]);
    };
  }
  step(0);
  const cpuBefore = process.cpuUsage();
  const start = now();
  let steps = 0;
  while (steps < 2 || msSince(start) < input.seconds * 1000) step(++steps);
  const wallMs = msSince(start);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const images = steps * input.batchSize;
  engine?.dispose();
  model.dispose();
  const output: EngineProbeOutput = {
    steps,
    imagesPerSec: round(images / (wallMs / 1000), 1),
    imagesPerCpuSec: round(images / Math.max(cpuSeconds, 1e-9), 1),
    coresBusy: round(cpuSeconds / (wallMs / 1000), 2),
    detail,
  };
  log(`engine ${detail}: ${output.imagesPerSec} images/s, ${output.imagesPerCpuSec} per CPU-second`);
  return output;
});
