import type { BackendPreference } from "../backend";
import { startRpcThread } from "../workers";
import type { SaliencyMap } from "./saliency";
import type { SaliencyRequest, SaliencyWorkerInit } from "./saliency-worker";

/** Saliency maps computed in a worker thread, so the calling thread's event loop keeps answering meanwhile. */
export interface SaliencyThread {
  /** One map per 48x48 gray crop, for the class at the same index. */
  explain(crops: readonly Uint8Array[], classIndices: readonly number[]): Promise<SaliencyMap[]>;
  terminate(): Promise<void>;
}

/** Starts the worker with the model in `modelDir` (loaded there a second time: the worker has its own tfjs). */
export async function startSaliencyThread(options: {
  modelDir: string;
  backend?: BackendPreference;
}): Promise<SaliencyThread> {
  const thread = await startRpcThread<SaliencyWorkerInit, SaliencyRequest, SaliencyMap[]>(
    new URL("./saliency-worker.ts", import.meta.url),
    options,
    "saliency worker",
  );
  return {
    explain(crops, classIndices) {
      const copies = crops.map((crop) => crop.slice());
      return thread.call(
        { crops: copies, classIndices: [...classIndices] },
        copies.map((copy) => copy.buffer as ArrayBuffer),
      );
    },
    terminate: () => thread.terminate(),
  };
}
