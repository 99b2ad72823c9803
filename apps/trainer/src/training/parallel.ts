import { Worker } from "node:worker_threads";
import { tf } from "@moodlens/model";
import type { TrainConfig } from "./config";

/** What the main thread sends for one batch: the helper's half, and the weights to compute it with. */
export interface RemotePart {
  epoch: number;
  batch: number;
  pixels: Uint8Array;
  labels: Int32Array;
  /** The half's distillation targets [labels * 7], when the run distils. */
  targets?: Float32Array;
  /** Full batch size: both halves divide by it, so their gradients add up to the batch's. */
  normalizer: number;
}

export interface WorkerRequest extends RemotePart {
  type: "step";
  weights: Float32Array[];
}

export type WorkerReply =
  | { type: "ready" }
  | { type: "grads"; grads: Float32Array[]; loss: number; correct: number }
  | { type: "error"; message: string };

export interface WorkerSetup {
  config: TrainConfig;
  classWeights: number[];
}

/**
 * Data-parallel training on two cores: tfjs-wasm runs one thread per instance under Node, so a second instance
 * in a worker thread computes the gradients of the second half of every batch while the main thread computes the
 * first half; the main thread sums them (each half divides by the full batch size) and applies one optimizer step.
 * Before each step the helper receives the current weights, so the two copies never drift. Batch-norm statistics
 * are computed per half (as in any data-parallel setup) and the moving averages are kept from the main half.
 * Dropout masks of the helper come from a stream seeded by (seed, epoch, batch): runs stay reproducible for a
 * given worker count.
 */
export class DataParallelHelper {
  private pending: { resolve: (reply: WorkerReply) => void } | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (reply: WorkerReply) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve(reply);
    });
    worker.on("error", (error) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve({ type: "error", message: error.message });
    });
  }

  static async start(config: TrainConfig, classWeights: number[]): Promise<DataParallelHelper> {
    const setup: WorkerSetup = { config, classWeights };
    const worker = new Worker(new URL("./parallel-worker.mjs", import.meta.url), { workerData: setup });
    const helper = new DataParallelHelper(worker);
    const reply = await helper.request(undefined);
    if (reply.type !== "ready")
      throw new Error(
        `training helper thread failed to start: ${reply.type === "error" ? reply.message : reply.type}`,
      );
    return helper;
  }

  private request(message: WorkerRequest | undefined, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    return new Promise((resolve) => {
      this.pending = { resolve };
      if (message) this.worker.postMessage(message, transfer);
    });
  }

  /**
   * One data-parallel step: sends the remote half, computes the local half meanwhile, returns the summed
   * gradients (in the local gradients' key order) and the batch's mean loss and correct count.
   */
  async step(
    model: tf.LayersModel,
    remote: RemotePart,
    local: () => { grads: Record<string, tf.Tensor>; loss: number; correct: number },
  ): Promise<{ grads: Record<string, tf.Tensor>; loss: number; correct: number }> {
    const weights = model.weights.map((weight) => (weight.read().dataSync() as Float32Array).slice());
    const replyPromise = this.request({ type: "step", weights, ...remote }, [
      ...weights.map((w) => w.buffer as ArrayBuffer),
      remote.pixels.buffer as ArrayBuffer,
    ]);
    const mine = local();
    const reply = await replyPromise;
    if (reply.type !== "grads") {
      tf.dispose(Object.values(mine.grads));
      throw new Error(`training helper thread: ${reply.type === "error" ? reply.message : reply.type}`);
    }
    const grads: Record<string, tf.Tensor> = {};
    Object.entries(mine.grads).forEach(([name, gradient], i) => {
      const theirs = tf.tensor(reply.grads[i]!, gradient.shape);
      grads[name] = tf.add(gradient, theirs);
      theirs.dispose();
      gradient.dispose();
    });
    return { grads, loss: mine.loss + reply.loss, correct: mine.correct + reply.correct };
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
