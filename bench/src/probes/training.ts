/**
 * Training speed of one architecture on one backend, in a fresh process: Adam + categorical cross-entropy
 * train steps (trainOnBatch, what model.fit runs per batch) on real FER-2013 crops, time-boxed.
 */
import { cpus } from "node:os";
import * as tf from "@tensorflow/tfjs";
import * as moodlens from "@moodlens/model";
import { EMOTIONS } from "@moodlens/shared";
import { log, runAsProbe } from "../core/child";
import { cpuShare, msSince, now, round } from "../core/stats";
import { readCropSet } from "../data/crop-cache";

export interface TrainingProbeInput {
  architecture: "compact" | "deep";
  backend: "wasm" | "cpu";
  batchSize: number;
  seconds: number;
  cropSetBase: string;
}

export interface TrainingProbeOutput {
  architecture: string;
  backend: string;
  trainingKernels: string;
  batchSize: number;
  steps: number;
  imagesPerSec: number;
  /** CPU time (user + system) / wall time / cores during the timed steps. */
  cpuShare: number | null;
  /** tfjs tensors alive after the steps minus before: 0 means no leak per step. */
  tensorLeak: number;
  firstStepMs: number;
}

/** On the pure-JS cpu backend, a first step longer than this is itself the measurement: no time for more. */
const SINGLE_STEP_MS = 20_000;

runAsProbe<TrainingProbeInput, TrainingProbeOutput>(async (input) => {
  const backend = await moodlens.selectBackend(input.backend, {
    forTraining: true,
    logger: (line) => log(line),
  });
  const { crops, labels } = await readCropSet(input.cropSetBase);
  const network = moodlens.buildNetwork(moodlens.NETWORK_DEFAULTS[input.architecture]);
  network.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
  const batchAt = (step: number) => {
    const indices = Array.from(
      { length: input.batchSize },
      (_, i) => (step * input.batchSize + i) % crops.length,
    );
    const x = moodlens.toModelInput(indices.map((index) => crops[index]!));
    const y = tf.tidy(() =>
      tf.oneHot(
        tf.tensor1d(
          indices.map((index) => labels[index]!),
          "int32",
        ),
        EMOTIONS.length,
      ),
    );
    return { x, y };
  };
  const step = async (index: number) => {
    const { x, y } = batchAt(index);
    await network.trainOnBatch(x, y);
    tf.dispose([x, y]);
  };
  // First step: builds gradients and optimizer slots. Untimed, unless it alone exceeds the budget (cpu backend).
  let start = now();
  await step(0);
  const firstStepMs = msSince(start);
  const tensorsBefore = tf.memory().numTensors;
  const cpuBefore = process.cpuUsage();
  start = now();
  let steps = 0;
  const budgetMs = input.seconds * 1000;
  // At least two timed steps; only when one step alone exceeds the budget (cpu backend) is the first step the measure.
  const singleStepOnly = input.backend === "cpu" && firstStepMs > Math.max(budgetMs, SINGLE_STEP_MS);
  while (!singleStepOnly && (steps < 2 || msSince(start) < budgetMs)) await step(++steps);
  let wallMs = msSince(start);
  let cpu = process.cpuUsage(cpuBefore);
  if (steps === 0) {
    // One step is all the budget allows: report it (it includes one-off setup, so it is a slight underestimate).
    steps = 1;
    wallMs = firstStepMs;
    cpu = { user: Number.NaN, system: Number.NaN };
  }
  const output: TrainingProbeOutput = {
    architecture: input.architecture,
    backend: backend.name,
    trainingKernels: backend.trainingKernels,
    batchSize: input.batchSize,
    steps,
    imagesPerSec: round((steps * input.batchSize) / (wallMs / 1000), 2),
    cpuShare: Number.isNaN(cpu.user) ? null : cpuShare(cpu, wallMs, cpus().length),
    tensorLeak: tf.memory().numTensors - tensorsBefore,
    firstStepMs: round(firstStepMs, 0),
  };
  log(
    `training ${input.architecture} on ${backend.name}: ${output.imagesPerSec} images/s, CPU share ${output.cpuShare}`,
  );
  network.dispose();
  return output;
});
