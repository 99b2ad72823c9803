import { parentPort, workerData } from "node:worker_threads";
import { selectBackend, tf } from "@moodlens/model";
import { PIXELS_PER_SAMPLE } from "../dataset/types";
import { Rng, seedMathRandom } from "../util/rng";
import type { WorkerReply, WorkerRequest, WorkerSetup } from "./parallel";
import { localGradients } from "./loss";
import { buildSeededNetwork } from "./seeded-network";

/** The helper thread of DataParallelHelper: its own tfjs-wasm instance computing the second half of each batch. */
const setup = workerData as WorkerSetup;
const port = parentPort!;
const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

try {
  await selectBackend("wasm", { forTraining: true, logger: () => {} });
  const model = buildSeededNetwork(setup.config);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const classWeights = tf.tensor1d(setup.classWeights);
  port.on("message", (request: WorkerRequest) => {
    try {
      model.weights.forEach((weight, i) => {
        const value = tf.tensor(request.weights[i]!, weight.read().shape);
        weight.write(value);
        value.dispose();
      });
      const crops: Uint8Array[] = [];
      for (let i = 0; i < request.labels.length; i++)
        crops.push(request.pixels.subarray(i * PIXELS_PER_SAMPLE, (i + 1) * PIXELS_PER_SAMPLE));
      const restore = seedMathRandom(
        Rng.derive(setup.config.seed, "dropout-helper", request.epoch, request.batch),
      );
      try {
        // L2 terms are added once, by the main half.
        const { grads, loss, correct } = localGradients(
          model,
          variables,
          crops,
          request.labels,
          classWeights,
          setup.config.labelSmoothing,
          request.normalizer,
          false,
          request.targets,
        );
        const arrays = variables.map((variable) =>
          (grads[variable.name]!.dataSync() as Float32Array).slice(),
        );
        tf.dispose(Object.values(grads));
        reply(
          { type: "grads", grads: arrays, loss, correct },
          arrays.map((a) => a.buffer as ArrayBuffer),
        );
      } finally {
        restore();
      }
    } catch (error) {
      reply({ type: "error", message: error instanceof Error ? error.message : String(error) });
    }
  });
  reply({ type: "ready" });
} catch (error) {
  reply({ type: "error", message: error instanceof Error ? error.message : String(error) });
}
