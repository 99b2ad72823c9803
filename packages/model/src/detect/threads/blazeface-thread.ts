import type { BackendPreference } from "../../backend";
import type { BlazefaceWorkerInit } from "./blazeface-worker";
import { startRpcThread } from "../../workers";

/** Runs BlazeFace on tfjs in a worker thread: `run(pixels)` resolves with the raw 896x17 outputs. */
export interface BlazefaceThread {
  run(pixels: Uint8Array): Promise<Float32Array>;
  terminate(): Promise<void>;
}

export async function startBlazefaceThread(
  options: { backend?: BackendPreference; modelPath?: string } = {},
): Promise<BlazefaceThread> {
  const thread = await startRpcThread<BlazefaceWorkerInit, Uint8Array, Float32Array>(
    new URL("./blazeface-worker.ts", import.meta.url),
    options,
    "face detector worker",
  );
  return {
    run(pixels) {
      const copy = pixels.slice();
      return thread.call(copy, [copy.buffer]);
    },
    terminate: () => thread.terminate(),
  };
}
